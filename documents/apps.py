from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "Văn bản"

    def ready(self) -> None:
        import portal.db  # noqa: F401  (registers the SQLite UNACCENT shim)
