"""Who may see what: roles and their capabilities, school scope, local accounts and the guard."""

from analytics.access.roles import AccessDenied, Capability, Role, User, require, require_scope

__all__ = ["AccessDenied", "Capability", "Role", "User", "require", "require_scope"]
