from .access import is_manager, user_roles


def roles(request):  # type: ignore[no-untyped-def]
    user = getattr(request, "user", None)
    names = user_roles(user) if user is not None else frozenset()
    return {
        "user_roles": names,
        "is_manager": bool(user is not None and is_manager(user)),
    }
