import factory

from collaborators.models import Membership, Person, User, Workspace
from collaborators.permissions import Role

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class WorkspaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workspace

    name = factory.Sequence(lambda n: f"Artist {n}")
    slug = factory.Sequence(lambda n: f"artist-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    workspace = factory.SubFactory(WorkspaceFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.MEMBER


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"contact{n}@example.org")


class ReleaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "releases.Release"

    workspace = factory.SubFactory(WorkspaceFactory)
    title = factory.Sequence(lambda n: f"Release {n}")
    type = "album"


class TrackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "releases.Track"

    release = factory.SubFactory(ReleaseFactory)
    workspace = factory.SelfAttribute("release.workspace")
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Track {n}")
