"""The public message form: a question or an error report about one entry."""

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from .models import Message
from .models.supervision import REF_PATTERN

PHONE = RegexValidator(
    r"^\+?[0-9][0-9 -]{5,18}[0-9]$", _("请填写手机号或带区号的固定电话，只用数字和“-”。")
)


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("留言内容"),
        max_length=Message.BODY_MAX,
        min_length=5,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": _("请填写留言内容。"),
            "min_length": _("请至少写 5 个字，把问题说清楚。"),
            "max_length": _("留言最多 1000 字，请精简后再提交。"),
        },
    )
    phone = forms.CharField(
        label=_("联系电话（选填）"),
        max_length=20,
        required=False,
        validators=[PHONE],
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("电子邮箱（选填）"),
        max_length=100,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    publish_consent = forms.BooleanField(
        label=_("答复后可以公开我的问题和答复（联系方式不会公开）"), required=False
    )
    # A honeypot: hidden from people, filled in by form-filling robots.
    website = forms.CharField(
        label=_("请勿填写此项"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind == Message.Kind.ERROR:
            del self.fields["publish_consent"]
            self.fields["body"].label = _("哪里有误，正确的应该是什么")

    def clean_phone(self):
        return " ".join(self.cleaned_data["phone"].split())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            raise forms.ValidationError(_("提交未成功，请刷新页面后重试。"), code="honeypot")
        return cleaned


class LookupForm(forms.Form):
    ref = forms.CharField(label=_("查询编号"), max_length=20)

    def clean_ref(self):
        ref = self.cleaned_data["ref"].strip().upper()
        if not REF_PATTERN.fullmatch(ref):
            raise forms.ValidationError(_("编号格式不对，应类似 261123-K7M2Q9XA。"))
        return ref
