from config.celery import task

from . import services


@task(name="collaborators.send_invitation")
def send_invitation(*, invitation_id: int) -> bool:
    return services.invitation_send_email(invitation_id=invitation_id)
