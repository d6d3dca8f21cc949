"""More everyday words residents type for what the catalogue names otherwise, found missing
when the search was tried again with some 540 real questions (新农合, 孕检, 技校, 长者饭堂 …).
Staff edit them in the admin afterwards; a group staff already have is left as it is."""

from django.db import migrations

from ._synonym_groups import synonym_groups

EVERYDAY = [
    ("新农合 农村合作医疗 城乡居民医保 城乡居民基本医疗保险", "新农合已并入城乡居民医保"),
    ("农村养老金 新农保养老金 基础养老金", "新农保已并入城乡居民基本养老保险"),
    ("退休金 养老金", ""),
    ("婚检 婚前孕前健康检查", ""),
    ("孕检 孕前检查 孕前健康检查", ""),
    ("产检 产前检查 孕产期保健", ""),
    ("应届生 应届毕业生 大学毕业生 高校毕业生", ""),
    ("招工 招聘 招用 吸纳", "企业招用人员"),
    ("贴息贷款 贷款贴息", ""),
    ("学费减免 免学费 减免学费", ""),
    ("技校 技工学校 中等职业学校 中职", ""),
    ("职业培训 技能培训 职业技能培训", ""),
    ("考证 职业技能鉴定 技能鉴定 技能等级认定", ""),
    ("饭堂 食堂 助餐", "长者饭堂"),
    ("精神病 精神障碍 严重精神障碍", ""),
    ("坐车 乘车 乘坐", ""),
    ("住校 寄宿", ""),
    ("工伤赔偿 工伤保险 工伤待遇", ""),
    ("打官司 诉讼 法律援助", ""),
    ("贫困学生 家庭经济困难学生 困难学生", ""),
    ("殡葬 丧葬", ""),
    ("高企 高新企业 高新技术企业", ""),
    ("补贴 奖补 奖励", "企业的奖励常被说成补贴"),
    ("种田 种地", ""),
    ("残疾证 残疾人证", ""),
    ("自闭症 孤独症", ""),
    ("欠薪 拖欠工资 劳动争议", ""),
    ("受灾 灾害 救灾", ""),
    ("出口信保 出口信用保险", ""),
]


class Migration(migrations.Migration):
    dependencies = [("catalog", "0017_everyday_synonyms")]

    operations = [synonym_groups(EVERYDAY)]
