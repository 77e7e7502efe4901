"""The district server: enrolment, event ingest, configuration out, scoring, exports."""
