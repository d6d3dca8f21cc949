"""Everyday words that found nothing in the demo, though an entry answers them: 丧葬费 (the
entries say 殡葬), 下岗 (失业), 助听器 and 轮椅 (the service for the disabled says 辅助器具).
Each group joins the word to the one its entries use (groups do not chain, `search.expand`)."""

from django.db import migrations

from ._synonym_groups import synonym_groups

WORDS = [
    ("丧葬费 殡葬", "丧葬费：殡葬基本服务费用免除"),
    ("下岗 失业", ""),
    ("辅助器具 辅具 助听器 轮椅 假肢", "残疾人辅助器具适配"),
]


class Migration(migrations.Migration):
    dependencies = [("catalog", "0020_more_question_synonyms")]

    operations = [synonym_groups(WORDS)]
