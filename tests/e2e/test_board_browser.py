"""`labcheck board` in a real browser: Playwright for Python driving Debian's Chromium headless (no
browser download), on the local control plane. A roster of three namespaces; one learner does
step 2's `kubectl run`; their cell changes within 2 s of the Pod being Ready; projector mode shows
no names; a screenshot lands in the test's folder (its path is printed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cluster.handle import KubeCluster
from tests.cluster.plugin import fresh_namespace

CHROMIUM = Path("/usr/bin/chromium")  # Debian's; scripts/test installs it when missing
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
NAMES = ["Ada Lovelace", "Grace Hopper", "Edsger Dijkstra"]


@pytest.fixture
def class_namespaces(kube_cluster: KubeCluster, request: pytest.FixtureRequest) -> Iterator[list[str]]:
    made = [fresh_namespace(kube_cluster, request) for _ in NAMES]
    names = [next(gen) for gen in made]
    yield names
    for gen in made:
        next(gen, None)


def start_board(kube_cluster: KubeCluster, *args: str) -> Iterator[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LABCHECK_", "KUBECONFIG"))}
    env.update({"LANG": "en_US.UTF-8", "NO_COLOR": "1"})
    proc = subprocess.Popen([sys.executable, "-m", "labcheck", "board", *args, "--lab", "pods",
                             "--steps", "step-02", "--kubeconfig", str(kube_cluster.kubeconfig), "--port", "0",
                             "--lang", "en"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "http://127.0.0.1:" in line, line + (proc.stderr.read() if proc.poll() is not None else "")
        yield "http://" + line.split("http://", 1)[1].split()[0]
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture
def board_url(kube_cluster: KubeCluster, class_namespaces: list[str], tmp_path: Path) -> Iterator[str]:
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name,namespace\n" + "".join(
        f"s{i},{name},{ns}\n" for i, (name, ns) in enumerate(zip(NAMES, class_namespaces, strict=True))))
    yield from start_board(kube_cluster, "--roster", str(roster))


def test_namespaces_by_pattern_over_http(kube_cluster: KubeCluster, class_namespaces: list[str]) -> None:
    """--namespaces on a shared cluster, no roster; the API without a browser."""
    prefix = class_namespaces[0].rsplit("-", 1)[0]  # the three share the test's name
    for url in start_board(kube_cluster, "--namespaces", f"{prefix}-*"):
        with urllib.request.urlopen(url + "api/class", timeout=10) as answer:
            data = json.load(answer)
        assert sorted(s["namespace"] for s in data["students"]) == sorted(class_namespaces)
        assert {s["steps"]["step-02"]["state"] for s in data["students"]} <= {"todo", "waiting"}
        request = urllib.request.Request(url + "api/class", method="DELETE")
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(request, timeout=10)
        assert info.value.code == 405


def test_a_learners_step_changes_their_cell_live(kube_cluster: KubeCluster, class_namespaces: list[str],
                                                 board_url: str, tmp_path: Path) -> None:
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: apt-get install chromium (scripts/test does)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            page = browser.new_page()
            page.goto(board_url)
            cell = page.locator("#c-1-step-02")
            page.wait_for_function("() => document.getElementById('c-1-step-02').textContent === '0/3'",
                                   timeout=20000)
            assert page.locator("#c-0-step-02").text_content() == "0/3"
            ns = class_namespaces[1]
            kube_cluster.kubectl("run", "my-first-pod", "--image", "stacksimplify/kubenginx:1.0.0", namespace=ns)
            kube_cluster.kubectl("wait", "--for=condition=Ready", "pod/my-first-pod", "--timeout=60s",
                                 namespace=ns)
            ready = time.monotonic()
            page.wait_for_function("() => document.getElementById('c-1-step-02').textContent !== '0/3'",
                                   timeout=2000)
            seen = time.monotonic() - ready
            assert cell.get_attribute("class") in ("partial", "passed"), cell.get_attribute("class")
            assert page.locator("#c-0-step-02").text_content() == "0/3"  # the others did nothing
            shot = tmp_path / "board.png"
            page.screenshot(path=str(shot), full_page=True)
            print(f"\nboard screenshot: {shot} (cell changed {seen:.2f}s after the Pod was Ready)")
            assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 2000

            page.goto(board_url + "?projector=1")
            page.wait_for_selector("#c-1-step-02")
            text = page.content()
            assert all(name not in text for name in NAMES) and "Student 2" in text
            assert all(ns not in text for ns in class_namespaces)
            page.screenshot(path=str(tmp_path / "board-projector.png"))

            page.goto(board_url + "student/1")
            assert "Grace Hopper" in page.content() and "my-first-pod" in page.content()
        finally:
            browser.close()
