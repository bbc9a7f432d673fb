// Package django holds sessionkit's wire-compatibility tests against a real
// Django (Debian's python3-django 3.2) and against the vectors recorded
// from Django 3.2, 4.2, 5.2 and 6.0 (core/testdata/django). It has no API:
// everything is in its _test.go files, which drive Django through
// testdata/djangohelper.py and need SESSIONKIT_PYTHON (and
// SESSIONKIT_POSTGRES_DSN for the PostgreSQL cases); the vector tests need
// neither. SHARING.md beside this file says how to configure both sides.
package django
