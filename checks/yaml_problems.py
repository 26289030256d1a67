"""PyYAML's words for a broken file, in the learner's language: the parser speaks English only."""

from __future__ import annotations

import re

from labcheck.core.i18n import Text, msg, register_messages

register_messages({
    "yaml.mapping_values": {"en": "mapping values are not allowed here (a line indented too far, or a "
                                  "second `:` on one line?)",
                            "zh": "此处不允许出现映射值（某行缩进过多，或一行里有第二个 `:`？）"},
    "yaml.tab": {"en": "a tab cannot start a token here (indent with spaces)",
                 "zh": "此处不能以 Tab 开头（请用空格缩进）"},
    "yaml.unclosed_flow": {"en": "expected ',' or '{close}' before the end of the file "
                                 "(a bracket left open?)",
                           "zh": "文件结束前缺少 ',' 或 '{close}'（括号没有闭合？）"},
    "yaml.end_of_stream": {"en": "the file ended inside a quoted text (a quote left open?)",
                           "zh": "文件在引号内的文本中结束（引号没有闭合？）"},
    "yaml.alias": {"en": "undefined alias '{name}' (a `*` at the start of a value?)",
                   "zh": "未定义的别名 '{name}'（值以 `*` 开头？）"},
    "yaml.block_end": {"en": "a list and a mapping are mixed at one indentation level",
                       "zh": "同一缩进层级中混用了列表和映射"},
    "yaml.colon": {"en": "could not find the expected ':'", "zh": "找不到应有的 ':'"},
    "yaml.syntax": {"en": "syntax error", "zh": "语法错误"},
    "yaml.too_deep": {"en": "nested too deeply", "zh": "嵌套层次过深"},
})

# patterns, compiled by re's cache when a file is broken (not at every start)
_KNOWN: list[tuple[str, str]] = [
    (r"mapping values are not allowed", "yaml.mapping_values"),
    (r"found character '\\t'|found character '\t'", "yaml.tab"),
    (r"expected ',' or '(?P<close>[\]}])', but got '<stream end>'", "yaml.unclosed_flow"),
    (r"found unexpected end of stream", "yaml.end_of_stream"),
    (r"found undefined alias '(?P<name>[^']*)'", "yaml.alias"),
    (r"expected <block end>", "yaml.block_end"),
    (r"could not find expected ':'", "yaml.colon"),
]


def yaml_problem(problem: str) -> Text:
    """A parser problem as the learner reads it; one this table does not know stays as PyYAML says it."""
    if not problem:
        return msg("yaml.syntax")
    for pattern, key in _KNOWN:
        found = re.search(pattern, problem)
        if found:
            return msg(key, **found.groupdict())
    return Text.same(problem)
