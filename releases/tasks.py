from config.celery import task

from .services import notifications


@task(name="releases.notify", soft_time_limit=60, time_limit=90)
def notify(*, notification_id: int) -> bool:
    """Send one review email (a duplicate delivery sends nothing more)."""
    return notifications.notification_send(notification_id=notification_id)
