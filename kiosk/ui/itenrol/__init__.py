"""IT-mode enrolment screen: layout in the .kv file, a thin view, a controller."""
