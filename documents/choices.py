from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    NQ = "NQ", _("Nghị quyết")
    KL = "KL", _("Kết luận")
    QD = "QĐ", _("Quyết định")
    KH = "KH", _("Kế hoạch")
    CTR = "CTr", _("Chương trình hành động")
    CT = "CT", _("Chỉ thị")
    ND = "NĐ", _("Nghị định")
    TT = "TT", _("Thông tư")
    QH = "QH", _("Quy hoạch")
    OTHER = "KHAC", _("Văn bản khác")


class RelationKind(models.TextChoices):
    CONTINUES = "continues", _("tiếp tục thực hiện")
    IMPLEMENTS = "implements", _("triển khai thực hiện")
    ATTACHED_TO = "attached_to", _("ban hành kèm theo")
    SUPERSEDES = "supersedes", _("thay thế")
