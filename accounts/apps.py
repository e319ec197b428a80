from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Đơn vị và tài khoản"

    def ready(self) -> None:
        from accounts import audit  # noqa: F401  (connects the sign-in audit receivers)
