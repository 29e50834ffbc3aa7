"""Reusable test fakes and fixtures: a fake Slack Web API, an SMTP server, an HTTP receiver,
a private Redis and a real Celery worker. Import the fixtures into a test module:

    from tests.support import fixtures
    alert_stack, alerts = fixtures.alert_stack, fixtures.alerts
"""
