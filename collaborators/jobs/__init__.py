"""Background jobs for every app: idempotent requests, late acknowledgement, progress 0–100
with a stage name, retries on transient errors, a readable failure on bad input, and a sweep
that re-sends jobs a broker outage or a dead worker lost.

Audio's analysis, mastering and renders run on this; ``audio/`` shows each piece in use
(``audio.models.Job``, ``audio.services.jobs``, ``audio.tasks``, ``audio.apps``,
``audio.views.job_status``). To add a job kind to an app, e.g. delivery bundles in
``releases/``:

1. **Model.** Subclass ``models.BaseJob`` (workspace, kind, key, params, status, progress,
   stage, attempts, result, error, output, created_by and the timestamps come with it), add
   what the job is about and its kinds, and make a migration::

       class DeliveryJob(BaseJob):
           class Kind(models.TextChoices):
               BUNDLE = "bundle", "Delivery bundle"

           release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="jobs")
           kind = models.CharField(max_length=32, choices=Kind.choices)

           class Meta(BaseJob.Meta):
               constraints = job_constraints(kinds=["bundle"])

   ``job_constraints`` gives the progress, status and kind checks, named per model; without
   ``kinds`` they are inherited anyway. ``workspace.<app>_jobs`` is the reverse accessor;
   ``output`` files go to ``<app>/<workspace id>/jobs/<job id>/``.

2. **Service.** The work is a function ``work(job, progress) -> dict``: it reports with
   ``progress(percent, stage)`` (``services.scaled`` maps a stage onto part of the bar), writes
   its file to a temporary name and moves it into ``job.output`` when complete, and returns
   the result kept on the row. Request and run go through ``services``::

       def bundle_request(*, release, user) -> DeliveryJob:
           return jobs.job_request(model=DeliveryJob, workspace_id=release.workspace_id,
                                   kind="bundle", params={...}, user=user, release=release)

       def run(*, job_id: int) -> DeliveryJob | None:
           return jobs.job_run(model=DeliveryJob, job_id=job_id, work=bundle_work,
                               permanent=(BundleError,))

   ``job_request`` returns the existing job for the same work (``key``: by default the
   workspace, kind, params and the extra fields; pass your own to choose) and queues a new or
   failed one after commit. ``job_run`` claims the job under a row lock (a second delivery does
   nothing; a live worker's job raises ``JobBusy``), fails it at once with the message of a
   ``ValidationError`` or of one of ``permanent``, and re-queues and re-raises anything else
   so the task retries, failing readably after ``max_attempts``.

3. **Task.** In the app's ``tasks.py``, one thin task per kind, and the kind → task map::

       @job_task(name="releases.bundle", soft_time_limit=30 * 60, time_limit=31 * 60)
       def bundle(*, job_id: int) -> None:
           importlib.import_module("releases.services.bundles").run(job_id=job_id)

       TASKS = {"bundle": bundle}

   ``tasks.job_task`` is ``config.celery.task`` (late acknowledgement, limits, retries on
   transient errors) plus a later retry while another live worker holds the job.

4. **Registration.** In the app's ``AppConfig.ready()``::

       register_job_model(model=DeliveryJob, tasks="releases.tasks.TASKS")

   The tasks are imported by dotted path when a job is first enqueued, so a web request does
   not load what they import. The one ``jobs.sweep`` task (``collaborators.tasks``, every
   minute from ``CELERY_BEAT_SCHEDULE``) sweeps every registered model; ``manage.py check``
   reports a kind with no task (``jobs.E002``).

5. **Page.** Include the progress bar with the app's poll URL (no query string)::

       {% url 'releases-job' request.workspace.slug job.pk as poll_url %}
       {% include "jobs/_progress.html" with job=job poll=True poll_url=poll_url %}

   and have that endpoint fetch the job with the app's access check, then answer with
   ``views.job_json(job)`` (as ``JsonResponse``) for a script, or
   ``views.job_progress(request, job, poll_url=...)`` for the bar, which asks the page to
   reload once the job it watched has ended.

6. **API.** Subclass ``serializers.BaseJobSerializer`` with
   ``fields = ["id", "release", *JOB_FIELDS]`` and ``download_url_name`` set to the route of
   the output file.

Settings: ``JOB_STALE_SECONDS`` (``LINER_JOB_STALE_SECONDS``, default 120: a running job
without a heartbeat for this long lost its worker) and ``JOB_REQUEUE_SECONDS``
(``LINER_JOB_REQUEUE_SECONDS``, default 300: a queued job not started for this long is sent
again by the sweep).
"""
