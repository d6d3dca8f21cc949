"""Everyday words residents type for what the catalogue names otherwise, found missing when
the search was tried with real questions (失业金, 生孩子, 稳岗补贴, 80岁 …). Staff edit them in
the admin afterwards; a group staff already have is left as it is."""

from django.db import migrations

from ._synonym_groups import synonym_groups

EVERYDAY = [
    ("失业金 失业保险金", ""),
    ("生孩子 生育 分娩", ""),
    ("二胎 二孩", ""),
    ("退伍 退役", ""),
    ("周岁 岁", "80岁即80周岁"),
    ("稳岗补贴 稳岗返还", ""),
    ("招人 招聘 吸纳", "企业招用人员"),
    ("种地 种粮 耕地", ""),
    ("公交 公共交通", ""),
    ("廉租房 公租房 保障性住房 保障房", ""),
    ("打疫苗 接种疫苗 预防接种", ""),
    ("丧葬费 丧葬补助金 丧葬补助", ""),
    ("婚检 婚前医学检查 婚前检查", ""),
    ("老年证 老人证 老年人优待证 老人优待证", ""),
]


class Migration(migrations.Migration):
    dependencies = [("catalog", "0016_search_grams")]

    operations = [synonym_groups(EVERYDAY)]
