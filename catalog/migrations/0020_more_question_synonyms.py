"""Words residents used in questions that found nothing, found when the search was tried again
as residents would (生小孩, 每个月, 没工作, 孩子上学, 怀孕, 房租补贴). Groups do not chain
(`search.expand`), so each group here joins a word to the one its entries use; it stays
small, since a word's spellings are capped (`search.MAX_ALTERNATIVES`). Staff edit them in the
admin afterwards; a group staff already have is left as it is."""

from django.db import migrations

from ._synonym_groups import synonym_groups

QUESTIONS = [
    ("生小孩 生育", ""),
    ("每月 每个月", "老人每个月能领多少钱"),
    ("没工作 失业", ""),
    ("上学 读书 就读", "孩子上学"),
    ("怀孕 孕妇 孕产妇", ""),
    ("房租 租金 租房", "房租补贴：创业租金补贴、公租房（不含融资租赁）"),
]


class Migration(migrations.Migration):
    dependencies = [("catalog", "0019_search_no_application")]

    operations = [synonym_groups(QUESTIONS)]
