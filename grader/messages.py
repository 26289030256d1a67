"""Messages of the engine and the CLI (check kinds and reporters register their own)."""

from __future__ import annotations

from labcheck.core.i18n import register_messages

register_messages({
    "run.cluster_error": {
        "en": "the cluster could not answer ({reason}): {message}",
        "zh": "集群无法应答（{reason}）：{message}",
    },
    "run.internal": {
        "en": "internal error in labcheck (please report it): {error}",
        "zh": "labcheck 内部错误（请报告此问题）：{error}",
    },
    "run.skipped": {
        "en": "skipped: needs {deps} to pass first",
        "zh": "已跳过：需要先通过 {deps}",
    },
    "run.time_limit": {
        "en": "not checked: the run's time limit ({seconds}s, --timeout) was over first",
        "zh": "未检查：本次运行的时间上限（{seconds} 秒，--timeout）已先到",
    },
    "watch.polling": {
        "en": "note: the cluster does not let labcheck watch {kind} ({reason}); checking by listing every "
              "{seconds}s instead",
        "zh": "提示：集群不允许 labcheck 监视（watch）{kind}（{reason}）；改为每 {seconds} 秒列出一次来检查",
    },
    "board.student": {"en": "Student {number}", "zh": "学生 {number}"},
    "board.students": {"en": "Student", "zh": "学生"},
    "board.stuck": {"en": "Stuck on", "zh": "卡在"},
    "board.pass_rates": {"en": "Pass rate per check", "zh": "各检查项通过率"},
    "board.projector_on": {"en": "Projector mode (hide names)", "zh": "投影模式（隐藏姓名）"},
    "board.projector_off": {"en": "Show names", "zh": "显示姓名"},
    "board.back": {"en": "Back to the class", "zh": "返回全班"},
    "board.listening": {
        "en": "labcheck board: {url} (read-only; Ctrl-C stops it)",
        "zh": "labcheck board：{url}（只读；按 Ctrl-C 停止）",
    },
    "run.no_cluster": {
        "en": "no cluster to read",
        "zh": "没有可读取的集群",
    },
    "cluster.unreachable": {
        "en": "cannot reach the cluster of context '{context}' ({server}): {message}",
        "zh": "无法连接上下文 '{context}' 的集群（{server}）：{message}",
    },
    "cluster.no_namespace": {
        "en": "namespace '{namespace}' does not exist in the cluster of context '{context}'",
        "zh": "上下文 '{context}' 的集群中不存在命名空间 '{namespace}'",
    },
    "cluster.config": {
        "en": "no cluster to grade: {message}",
        "zh": "没有可评分的集群：{message}",
    },
    "cluster.hint": {
        "en": "Point labcheck at a cluster: `kubectl config use-context NAME`, or --context NAME, "
              "--kubeconfig FILE (or KUBECONFIG); check with `kubectl get nodes`.",
        "zh": "请让 labcheck 指向一个集群：`kubectl config use-context 名称`，或使用 --context 名称、"
              "--kubeconfig 文件（或 KUBECONFIG）；可用 `kubectl get nodes` 检查。",
    },
    "cli.waiting": {
        "en": "waiting {elapsed}s: {count} checks not done yet ({first})",
        "zh": "已等待 {elapsed} 秒：{count} 项检查尚未完成（{first}）",
    },
    "cli.unknown_step": {
        "en": "no step '{step}' in lab '{lab}' (steps: {steps})",
        "zh": "实验 '{lab}' 中没有步骤 '{step}'（步骤：{steps}）",
    },
    "cli.valid": {
        "en": "{path}: valid ({steps} steps, {checks} checks)",
        "zh": "{path}：有效（{steps} 个步骤，{checks} 项检查）",
    },
    # Words inside expected/actual values (plain data, e.g. an image or `Running`, stays as it is).
    "value.assigned": {"en": "assigned", "zh": "已分配"},
    "value.set": {"en": "set", "zh": "已设置"},
    "value.ran": {"en": "ran", "zh": "曾运行"},
    "value.deleted": {"en": "deleted", "zh": "已删除"},
    "value.being_deleted": {"en": "being deleted", "zh": "正在删除"},
    "value.completed": {"en": "completed", "zh": "已完成"},
    "value.running": {"en": "running", "zh": "运行中"},
    "value.running_for": {"en": "running {seconds}s", "zh": "已运行 {seconds} 秒"},
    "value.running_at_least": {"en": "running >= {seconds}s", "zh": "稳定运行 ≥ {seconds} 秒"},
    "value.exit_code": {"en": "exit code {code} ({reason})", "zh": "退出码 {code}（{reason}）"},
    "value.one_of": {"en": "one of {choices}", "zh": "{choices} 之一"},
    "value.every_of": {"en": "every right choice of {choices}", "zh": "{choices} 中所有正确的选项"},
    "value.selects_pod": {"en": "selects Pod {pod}", "zh": "选中 Pod {pod}"},
    "value.valid_yaml": {"en": "valid YAML", "zh": "有效的 YAML"},
    "value.yaml_line": {"en": "line {line}: {problem}", "zh": "第 {line} 行：{problem}"},
    "value.a_file": {"en": "a file", "zh": "文件"},
    "value.not_a_file": {"en": "not a file", "zh": "不是文件"},
    "value.utf8": {"en": "UTF-8 text", "zh": "UTF-8 文本"},
    "value.binary": {"en": "binary", "zh": "二进制内容"},
    "value.not_utf8": {"en": "not UTF-8 text", "zh": "不是 UTF-8 文本"},
    "value.readable": {"en": "readable", "zh": "可读"},
    "value.max_bytes": {"en": "<= {n} bytes", "zh": "≤ {n} 字节"},
    "value.bytes": {"en": "{n} bytes", "zh": "{n} 字节"},
    "value.mapping": {"en": "a mapping (question: answer)", "zh": "映射（题目: 答案）"},
    "value.yaml.list": {"en": "a list", "zh": "列表"},
    "value.yaml.str": {"en": "plain text", "zh": "纯文本"},
    "value.yaml.other": {"en": "a {type}", "zh": "{type} 值"},
    "value.empty": {"en": "empty", "zh": "空"},
    "value.any": {"en": "any", "zh": "任意"},
    "value.present": {"en": "present", "zh": "存在"},
    "value.missing": {"en": "<missing>", "zh": "<缺失>"},
    "value.error.unreachable": {"en": "unreachable", "zh": "无法连接"},
    "value.error.timeout": {"en": "timed out", "zh": "超时"},
    "value.error.tls": {"en": "TLS error", "zh": "TLS 错误"},
    "value.error.unauthorized": {"en": "unauthorized", "zh": "未认证"},
    "value.error.forbidden": {"en": "forbidden (RBAC)", "zh": "无权限（RBAC）"},
    "value.error.not_found": {"en": "not found", "zh": "未找到"},
    "value.error.server_error": {"en": "server error", "zh": "服务器错误"},
    "value.error.config": {"en": "configuration", "zh": "配置问题"},
    "value.error.stream": {"en": "stream cut", "zh": "数据流中断"},
    "value.error.other": {"en": "other", "zh": "其他"},
    # why nothing answered on a node port (core/answers.py reason_of)
    "value.net.refused": {"en": "refused", "zh": "连接被拒绝"},
    "value.net.timed out": {"en": "timed out", "zh": "超时"},
    "value.net.connection reset": {"en": "connection reset", "zh": "连接被重置"},
    "value.net.host unreachable": {"en": "host unreachable", "zh": "主机不可达"},
    "value.net.network unreachable": {"en": "network unreachable", "zh": "网络不可达"},
    "value.net.address not available": {"en": "address not available", "zh": "地址不可用"},
    "value.net.no such host": {"en": "no such host", "zh": "找不到主机"},
    "value.net.TLS error": {"en": "TLS error", "zh": "TLS 错误"},
    "value.net.closed without an answer": {"en": "closed without an answer", "zh": "连接关闭且没有应答"},
    "value.net.not an HTTP answer": {"en": "not an HTTP answer", "zh": "不是 HTTP 应答"},
})
