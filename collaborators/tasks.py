from config.celery import task

from . import services
from .jobs import services as jobs


@task(name="collaborators.send_invitation")
def send_invitation(*, invitation_id: int) -> bool:
    return services.invitation_send_email(invitation_id=invitation_id)


@task(name="jobs.sweep", soft_time_limit=120, time_limit=150)
def jobs_sweep() -> int:
    """Re-send the jobs of every app that a broker outage or a dead worker lost."""
    return jobs.jobs_sweep()
