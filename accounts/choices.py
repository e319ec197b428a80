from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    PARTY_CENTRAL = "party_central", _("Cơ quan lãnh đạo của Đảng")
    PARTY_AGENCY = "party_agency", _("Ban đảng Trung ương")
    PARTY_DELEGATION = "party_delegation", _("Ban cán sự đảng, đảng đoàn")
    GOVERNMENT = "government", _("Chính phủ")
    MINISTRY = "ministry", _("Bộ, cơ quan ngang bộ")
    NATIONAL_ASSEMBLY = "national_assembly", _("Quốc hội")
    FRONT = "front", _("Mặt trận, tổ chức chính trị - xã hội")
    REGION = "region", _("Vùng")
    PROVINCE = "province", _("Tỉnh, thành phố")
    PROVINCIAL_PARTY = "provincial_party", _("Tỉnh ủy")
    PROVINCIAL_PARTY_AGENCY = "provincial_party_agency", _("Cơ quan tham mưu Tỉnh ủy")
    PROVINCIAL_GOVERNMENT = "provincial_government", _("Chính quyền tỉnh")
    PROVINCIAL_DEPARTMENT = "provincial_department", _("Sở, ban, ngành tỉnh")
    PROVINCIAL_COUNCIL = "provincial_council", _("Hội đồng nhân dân tỉnh")
    PARTY_COMMITTEE = "party_committee", _("Đảng ủy (từ năm 2025)")
    DISTRICT_PARTY = "district_party", _("Huyện ủy, thành ủy")
    GROUP = "group", _("Nhóm đơn vị (giao chung)")
    OTHER = "other", _("Khác")


class Role(models.TextChoices):
    OFFICER = "officer", _("Cán bộ")
    LEADER = "leader", _("Lãnh đạo đơn vị")
    REVIEWER = "reviewer", _("Rà soát, giám sát")
    SECRETARIAT = "secretariat", _("Văn phòng")
    UNIT_ADMIN = "unit_admin", _("Quản trị đơn vị")
