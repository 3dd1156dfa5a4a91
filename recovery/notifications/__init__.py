"""Reminders and notifications: the core's mechanism, which knows no feature.

Each feature app registers its reminder kinds (`registry.register`) from AppConfig.ready();
beat runs `dispatch.dispatch` every minute; `sending.deliver` sends one ledger row.
"""
