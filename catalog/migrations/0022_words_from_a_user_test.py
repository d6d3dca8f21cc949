"""Words a user test typed that found nothing or missed the entry that answers them, joined to
the words the entries use: 低保户 and 低保金 (低保), 高中生 and 初中生 (the grants say 高中 and
初中), 住房补贴 (住房租赁补贴), 孤寡老人 (特困, 五保), 讨薪 (欠薪), 户口 (户籍), 婴儿 (婴幼儿, 儿童),
扶持 (the grants say 补贴, 资助, 奖补), 失业补贴 (失业保险金), 招人 (招用)."""

from django.db import migrations

from ._synonym_groups import synonym_groups

WORDS = [
    ("低保户 低保金 低保 最低生活保障", ""),
    ("高中生 高中", ""),
    ("初中生 初中", ""),
    ("小学生 小学", ""),
    ("住房补贴 住房租赁补贴", "公共租赁住房保障"),
    ("孤寡老人 特困 五保", "特困人员救助供养"),
    ("讨薪 欠薪 拖欠工资", ""),
    ("户口 户籍", ""),
    ("婴儿 婴幼儿 新生儿 儿童", ""),
    ("扶持 补贴 资助 奖补", ""),
    ("失业补贴 失业保险金", ""),
    ("招人 招用", "创业带动就业补贴：初创企业招用员工"),
]


class Migration(migrations.Migration):
    dependencies = [("catalog", "0021_more_everyday_words")]

    operations = [synonym_groups(WORDS)]
