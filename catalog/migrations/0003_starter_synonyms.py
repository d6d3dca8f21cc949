"""A starter set of synonyms; staff edit them in the admin afterwards."""

from django.db import migrations

from ._synonym_groups import synonym_groups

STARTER = [
    ("老人 老年人 长者 高龄老人", "年长者的常见说法"),
    ("补贴 补助 津贴 资助 补助金", "各类资金补助"),
    ("残疾 残障", ""),
    ("低保 最低生活保障", ""),
    ("特困 特困供养 五保", ""),
    ("小孩 儿童 孩子 少儿", ""),
    ("孕妇 孕产妇 产妇", ""),
    ("失业 待业", ""),
    ("大学生 高校毕业生 毕业生", ""),
    ("退伍军人 退役军人 复员军人", ""),
    ("医保 医疗保险", ""),
    ("社保 社会保险", ""),
    ("养老金 养老保险待遇", ""),
    ("看病 就医 医疗", ""),
    ("上学 入学 就学", ""),
    ("找工作 就业 求职", ""),
    ("开店 创业", ""),
    ("贷款 融资 借款", ""),
    ("农民 农户", ""),
    ("公司 企业", ""),
    ("个体户 个体工商户", ""),
    ("社保卡 社会保障卡 一卡通", ""),
]


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_search_vector")]

    operations = [synonym_groups(STARTER)]
