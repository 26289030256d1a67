"""Messages instructors see from batch grading, collect and the class summary page."""

from __future__ import annotations

from labcheck.core.i18n import register_messages

register_messages({
    "batch.timeout": {
        "en": "grading did not finish within {seconds}s (the cluster may hang): ungraded",
        "zh": "评分未在 {seconds} 秒内完成（集群可能无响应）：未评分",
    },
    "batch.crash": {
        "en": "labcheck could not grade this student ({error}): ungraded",
        "zh": "labcheck 无法为该学生评分（{error}）：未评分",
    },
    "batch.progress": {
        "en": "{done}/{total} students graded, {errors} ungraded",
        "zh": "已评分 {done}/{total} 名学生，{errors} 名未评分",
    },
    "batch.done": {
        "en": "{total} students: {passed} passed, {failed} not passed, {errors} ungraded (error); "
              "outputs in {out}",
        "zh": "{total} 名学生：{passed} 名通过，{failed} 名未通过，{errors} 名未评分（错误）；输出在 {out}",
    },
    "batch.resumed": {
        "en": "resuming: {count} students already graded in {out}",
        "zh": "继续上次运行：{out} 中已有 {count} 名学生评分完成",
    },
    "batch.ungraded": {
        "en": "ERROR: ungraded, the cluster could not answer; regrade before publishing. {message}",
        "zh": "错误：未评分，集群无法应答；发布前请重新评分。{message}",
    },
    "gradebook.left_out": {
        "en": "left out of gradebook.csv: no value for its student column (the LMS could not match the row)",
        "zh": "未写入 gradebook.csv：学生列没有值（LMS 无法匹配这一行）",
    },
    "gradebook.feedback": {"en": "{score}/{max} points.", "zh": "{score}/{max} 分。"},
    "gradebook.feedback_todo": {"en": "Still to do: {checks}", "zh": "仍需完成：{checks}"},
    "gradebook.feedback_hidden": {"en": "{count} hidden check(s) not passed.",
                                  "zh": "{count} 项隐藏检查未通过。"},
    "gradebook.feedback_ungraded": {
        "en": "Not graded yet: the cluster could not answer. This is not a zero.",
        "zh": "尚未评分：集群无法应答。这不是零分。",
    },
    "html.title": {"en": "Class summary: {lab}", "zh": "班级汇总：{lab}"},
    "html.generated": {
        "en": "{students} students, generated {when} by labcheck {version}",
        "zh": "{students} 名学生，由 labcheck {version} 于 {when} 生成",
    },
    "html.heatmap": {"en": "Scores by student and step", "zh": "各学生各步骤得分"},
    "html.student": {"en": "Student", "zh": "学生"},
    "html.total": {"en": "Total", "zh": "总分"},
    "html.error_cell": {"en": "ERROR", "zh": "错误"},
    "html.checks": {"en": "Pass rate per check (hardest first)", "zh": "各检查项通过率（最难的在前）"},
    "html.check": {"en": "Check", "zh": "检查项"},
    "html.pass_rate": {"en": "Passed", "zh": "通过"},
    "html.errors": {"en": "Errors (ungraded)", "zh": "错误（未评分）"},
    "html.error_count": {
        "en": "{count} students could not be graded (error): regrade them, they are not zero.",
        "zh": "{count} 名学生无法评分（错误）：请重新评分，不要按零分处理。",
    },
    "html.legend": {
        "en": "Cells show points scored / points graded; ERROR means ungraded.",
        "zh": "单元格为得分 / 已评分分值；“错误”表示未评分。",
    },
    "collect.shared_cluster": {
        "en": "same cluster (kube-system uid {uid}) as {others}",
        "zh": "与 {others} 使用同一集群（kube-system uid {uid}）",
    },
    "collect.shared_object": {
        "en": "same {what} uid {uid} as {others}",
        "zh": "与 {others} 的 {what} uid {uid} 相同",
    },
    "collect.digest": {
        "en": "scenario digest {digest} differs from the instructor's {expected}",
        "zh": "实验场景摘要 {digest} 与教师的 {expected} 不同",
    },
    "collect.window": {
        "en": "receipt time {when} is outside the window {start} .. {end}",
        "zh": "回执时间 {when} 不在时间窗口 {start} .. {end} 内",
    },
    "collect.passed": {"en": "passed (from the student's receipt)", "zh": "通过（来自学生回执）"},
    "collect.remembered": {
        "en": "passed earlier at {when} (the student's progress file, in the receipt)",
        "zh": "此前已于 {when} 通过（学生的进度文件，记录在回执中）",
    },
    "collect.remembered_window": {
        "en": "{check} passed earlier at {when} (progress file), outside the window {start} .. {end}: "
              "not counted",
        "zh": "{check} 此前于 {when} 通过（进度文件），不在时间窗口 {start} .. {end} 内：不计分",
    },
    "collect.failed": {"en": "failed (from the student's receipt)", "zh": "未通过（来自学生回执）"},
    "collect.pending": {"en": "not done (from the student's receipt)", "zh": "未完成（来自学生回执）"},
    "collect.error": {
        "en": "ungraded: the student's cluster could not answer", "zh": "未评分：学生的集群无法应答",
    },
    "collect.skipped": {"en": "skipped (from the student's receipt)", "zh": "已跳过（来自学生回执）"},
    "collect.missing": {"en": "no receipt submitted", "zh": "未提交回执"},
    "collect.unreadable": {"en": "receipt cannot be read: {error}", "zh": "无法读取回执：{error}"},
    "collect.unknown_file": {
        "en": "{path}: no roster student with this id; ignored",
        "zh": "{path}：名单中没有此 id 的学生；已忽略",
    },
    "collect.summary": {
        "en": "{receipts} receipts for {students} students, {flags} flags; gradebook in {out}",
        "zh": "{students} 名学生共 {receipts} 份回执，{flags} 个可疑标记；成绩表在 {out}",
    },
})
