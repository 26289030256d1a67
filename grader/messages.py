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
})
