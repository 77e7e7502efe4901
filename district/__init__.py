"""The district server: enrolment, event ingest, configuration out, scoring and exports.

Build an application with :func:`district.app.create_app`; the command line is
``district`` (:mod:`district.cli`). Never imports the classroom program (``kiosk``).
"""
