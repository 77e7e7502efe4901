"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 04:19:36.787615
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('login_attempts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempts'))
    )
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_login_attempts_username_at', ['username', 'at'], unique=False)

    op.create_table('schools',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('level', sa.String(length=8), nullable=False),
    sa.Column('model', sa.String(length=16), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('policy', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schools')),
    sa.UniqueConstraint('code', name=op.f('uq_schools_code'))
    )
    op.create_table('bells',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('start', sa.String(length=5), nullable=False),
    sa.Column('end', sa.String(length=5), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_bells_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bells')),
    sa.UniqueConstraint('school_id', 'period', name=op.f('uq_bells_school_id_period'))
    )
    with op.batch_alter_table('bells', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bells_school_id'), ['school_id'], unique=False)

    op.create_table('holidays',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_holidays_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_holidays')),
    sa.UniqueConstraint('school_id', 'date', name=op.f('uq_holidays_school_id_date'))
    )
    with op.batch_alter_table('holidays', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_holidays_school_id'), ['school_id'], unique=False)

    op.create_table('rooms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('devices', sa.JSON(), nullable=False),
    sa.Column('detector', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_rooms_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rooms')),
    sa.UniqueConstraint('school_id', 'code', name=op.f('uq_rooms_school_id_code'))
    )
    with op.batch_alter_table('rooms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rooms_school_id'), ['school_id'], unique=False)

    op.create_table('teachers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('card', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_teachers_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teachers')),
    sa.UniqueConstraint('school_id', 'code', name=op.f('uq_teachers_school_id_code'))
    )
    with op.batch_alter_table('teachers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_teachers_school_id'), ['school_id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_users_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=True),
    sa.Column('revoked_at', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('enrollment_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.Column('used_at', sa.Float(), nullable=True),
    sa.Column('revoked_at', sa.Float(), nullable=True),
    sa.Column('pi_id', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name=op.f('fk_enrollment_codes_room_id_rooms')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_enrollment_codes_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrollment_codes')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_enrollment_codes_code_hash'))
    )
    with op.batch_alter_table('enrollment_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrollment_codes_school_id'), ['school_id'], unique=False)

    op.create_table('pis',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('hostname', sa.String(length=64), nullable=True),
    sa.Column('version', sa.String(length=40), nullable=True),
    sa.Column('enrolled_at', sa.Float(), nullable=False),
    sa.Column('retired_at', sa.Float(), nullable=True),
    sa.Column('is_flagged', sa.Boolean(), nullable=False),
    sa.Column('flag_reason', sa.Text(), nullable=True),
    sa.Column('acked_seq', sa.BigInteger(), nullable=False),
    sa.Column('last_sync_at', sa.Float(), nullable=True),
    sa.Column('last_skew_s', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name=op.f('fk_pis_room_id_rooms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pis')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_pis_token_hash'))
    )
    with op.batch_alter_table('pis', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pis_room_id'), ['room_id'], unique=False)

    op.create_table('timetable',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('class_name', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=100), nullable=False),
    sa.Column('teacher', sa.String(length=40), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name=op.f('fk_timetable_room_id_rooms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_timetable'))
    )
    with op.batch_alter_table('timetable', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_timetable_room_id'), ['room_id'], unique=False)

    op.create_table('events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('pi_id', sa.String(length=64), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('at', sa.Float(), nullable=False),
    sa.Column('pi_at', sa.Float(), nullable=False),
    sa.Column('time_source', sa.String(length=20), nullable=False),
    sa.Column('received_at', sa.Float(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['pi_id'], ['pis.id'], name=op.f('fk_events_pi_id_pis')),
    sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name=op.f('fk_events_room_id_rooms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events')),
    sa.UniqueConstraint('pi_id', 'seq', name=op.f('uq_events_pi_id_seq'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_room_id_at', ['room_id', 'at'], unique=False)

    op.create_table('pi_placements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pi_id', sa.String(length=64), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('from_at', sa.Float(), nullable=False),
    sa.Column('to_at', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['pi_id'], ['pis.id'], name=op.f('fk_pi_placements_pi_id_pis')),
    sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name=op.f('fk_pi_placements_room_id_rooms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pi_placements'))
    )
    with op.batch_alter_table('pi_placements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pi_placements_pi_id'), ['pi_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('pi_placements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pi_placements_pi_id'))

    op.drop_table('pi_placements')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_room_id_at')

    op.drop_table('events')
    with op.batch_alter_table('timetable', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_timetable_room_id'))

    op.drop_table('timetable')
    with op.batch_alter_table('pis', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pis_room_id'))

    op.drop_table('pis')
    with op.batch_alter_table('enrollment_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrollment_codes_school_id'))

    op.drop_table('enrollment_codes')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    op.drop_table('users')
    with op.batch_alter_table('teachers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_teachers_school_id'))

    op.drop_table('teachers')
    with op.batch_alter_table('rooms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rooms_school_id'))

    op.drop_table('rooms')
    with op.batch_alter_table('holidays', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_holidays_school_id'))

    op.drop_table('holidays')
    with op.batch_alter_table('bells', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bells_school_id'))

    op.drop_table('bells')
    op.drop_table('schools')
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempts_username_at')

    op.drop_table('login_attempts')
