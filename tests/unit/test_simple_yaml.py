"""simple_yaml reads a kubeconfig exactly as PyYAML does, or hands it to PyYAML.

PyYAML's safe loader (libyaml's when present, as labcheck.kube.kubeconfig uses it) is the oracle: on any
text, `parse` gives NOT_SIMPLE or PyYAML's value, with the same types (True is not 1 here).
"""

from __future__ import annotations

import random
from typing import Any

import pytest
import yaml

from labcheck.core import simple_yaml
from labcheck.core.simple_yaml import NOT_SIMPLE

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
CA = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJkekNDQVIyZ0F3SUJBZ0lCQURBS0Jn" * 8

KUBECONFIGS: list[dict[str, Any]] = [
    {"apiVersion": "v1", "kind": "Config", "preferences": {}, "current-context": "kind-kind",
     "clusters": [{"name": "kind-kind", "cluster": {"server": "https://127.0.0.1:40331",
                                                     "certificate-authority-data": CA}}],
     "contexts": [{"name": "kind-kind", "context": {"cluster": "kind-kind", "user": "kind-kind",
                                                     "namespace": "student-07"}}],
     "users": [{"name": "kind-kind", "user": {"client-certificate-data": CA, "client-key-data": CA}}]},
    {"apiVersion": "v1", "kind": "Config", "current-context": "eks",
     "clusters": [{"name": "eks", "cluster": {"server": "https://ABC.gr7.eu-west-1.eks.amazonaws.com",
                                               "insecure-skip-tls-verify": True, "proxy-url": "socks5://127.0.0.1:1080"}}],
     "contexts": [{"name": "eks", "context": {"cluster": "eks", "user": "eks"}}],
     "users": [{"name": "eks", "user": {"exec": {
         "apiVersion": "client.authentication.k8s.io/v1beta1", "command": "aws",
         "args": ["--region", "eu-west-1", "eks", "get-token", "--cluster-name", "lab"],
         "env": [{"name": "AWS_PROFILE", "value": "course"}, {"name": "EMPTY", "value": ""}],
         "interactiveMode": "IfAvailable", "provideClusterInfo": False, "installHint": "install aws: it's free"}}}]},
    {"apiVersion": "v1", "kind": "Config", "current-context": "", "clusters": [], "users": None,
     "contexts": [{"name": "x", "context": {"cluster": "a b", "user": "u:1", "namespace": "ns"}}],
     "extensions": [{"name": "e", "extension": {"n": 3, "ok": False, "none": None}}]},
    {"apiVersion": "v1", "kind": "Config",
     "users": [{"name": "t", "user": {"token": "eyJhbGciOiJSUzI1NiIsImtpZCI6IiJ9.e30.sig", "username": "yes",
                                        "password": "0123", "tokenFile": "./tokens/alice", "as-groups": ["a", "b"]}}]},
]


def same(a: Any, b: Any) -> bool:
    """Equal with the same types all the way down (1 == True in Python, not in a kubeconfig)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def agrees(text: str) -> bool:
    fast = simple_yaml.parse(text)
    if fast is NOT_SIMPLE:
        return True
    return same(fast, yaml.load(text, Loader=LOADER))  # noqa: S506  (PyYAML raising fails the test)


@pytest.mark.parametrize("doc", KUBECONFIGS)
@pytest.mark.parametrize("style", [{}, {"sort_keys": False}, {"indent": 4}, {"default_style": '"'},
                                   {"default_style": "'"}, {"width": 40}, {"explicit_start": True}])
def test_dumped_kubeconfigs_read_as_pyyaml_reads_them(doc: dict[str, Any], style: dict[str, Any]) -> None:
    assert agrees(yaml.safe_dump(doc, **style))


@pytest.mark.parametrize("doc", KUBECONFIGS)
def test_the_shape_kubectl_writes_is_read_without_pyyaml(doc: dict[str, Any]) -> None:
    text = yaml.safe_dump(doc)  # block style, as kubectl and kind write them
    assert simple_yaml.parse(text) is not NOT_SIMPLE
    assert agrees(text)


@pytest.mark.parametrize("text", [
    "a: yes\n", "a: Off\n", "a: ~\n", "a:\n", "a: 012\n", "a: 0x1F\n", "a: 1_000\n", "a: 1e3\n", "a: .5\n",
    "a: 2001-12-14\n", "a: 12:30\n", "a: <<\n", "a: =\n", "yes: 1\n", "a: b # note\n", "a: &x b\nc: *x\n",
    "a: !!str 1\n", "a: [1, 2]\n", "a: {b: c}\n", "a: |\n  text\n", "a: >\n  text\n", "a: one\n  two\n",
    "a:\tb\n", "a: 'it''s'\n", 'a: "q\\"x"\n', 'a: "\\x41"\n', 'a: "\\u00e9"\n', "a: 'x' y\n", "a: b: c\n",
    "- - a\n", "-\n  a: 1\n", "a:\n- b\n- c: d\n  e: f\nz: 1\n", "a: -x\nb: --flag\nc: -1\nd: -.inf\n",
    "---\na: 1\n", "a: 1\n---\nb: 2\n", "a: 1\n...\n", "? a\n: b\n", "a: b\n c: d\n", " a: 1\n b: 2\n",
    "a:\n  - x\n  -  y: 1\n     z: 2\n", "# only a comment\n", "", "a: null\nb: Null\nc: NULL\nd: nULL\n",
    "a: 'multi\n  line'\n", 'a: "x\n  y"\n', "a: é\n", "a: \x07\n", "a:b\n", "a : b\n", "a: %x\n", "a: @x\n",
    "a: `x`\n", "a: ,x\n", "a: x,y\n", "a: http://h:1/p?q=1&r=[2]\n", "a: 'x'\nb: \"y\"\n", "a: {}\nb: []\n",
])
def test_tricky_texts_agree_with_pyyaml(text: str) -> None:
    try:
        yaml.load(text, Loader=LOADER)  # noqa: S506
    except yaml.YAMLError:
        assert simple_yaml.parse(text) is NOT_SIMPLE  # PyYAML's error message stays the one shown
        return
    assert agrees(text)


def test_mutated_kubeconfigs_agree_with_pyyaml() -> None:
    rng = random.Random(17)
    bases = [yaml.safe_dump(doc) for doc in KUBECONFIGS] + [yaml.safe_dump(doc, indent=4) for doc in KUBECONFIGS]
    alphabet = [" ", ":", "-", "#", "'", '"', "\n", "{", "}", "[", "]", "&", "*", "!", "|", ">", "0", "1", "y",
                "~", "\\", ",", "?", "  ", "- ", ": ", "\n  ", "\n- ", "yes", "null", "007", ".5", "\t"]
    taken = 0
    for _ in range(3000):
        text = rng.choice(bases)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(text))
            action = rng.random()
            if action < 0.4:
                text = text[:at] + rng.choice(alphabet) + text[at:]
            elif action < 0.7:
                text = text[:at] + text[at + rng.randint(1, 4):]
            else:
                lines = text.split("\n")
                k = rng.randrange(len(lines))
                lines[k] = " " * rng.choice([1, 2, 4]) + lines[k] if rng.random() < 0.5 else lines[k].lstrip(" ")
                text = "\n".join(lines)
        try:
            expected = yaml.load(text, Loader=LOADER)  # noqa: S506
        except yaml.YAMLError:
            assert simple_yaml.parse(text) is NOT_SIMPLE, text
            continue
        fast = simple_yaml.parse(text)
        if fast is not NOT_SIMPLE:
            taken += 1
            assert same(fast, expected), text
    assert taken > 300  # the fast path was exercised, not only the hand-over
