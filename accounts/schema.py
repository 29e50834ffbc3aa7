"""Tell drf-spectacular how API keys authenticate, so /api/docs/ offers a Bearer field."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.auth.BearerApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):  # type: ignore[no-untyped-def]
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key from `manage.py issue_api_key NAME --scope intake|read|admin`.",
        }
