#!/usr/bin/env python3
"""Prints the per-request table of a Gatling HTML report as Markdown.

    load-tests/scripts/report-summary.py [REPORT_DIR]   (default: the newest under load-tests/gatling/target/gatling)
"""
import glob
import os
import re
import sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "gatling", "target", "gatling")
report = sys.argv[1] if len(sys.argv) > 1 else max(glob.glob(os.path.join(root, "*", "index.html")),
                                                    key=os.path.getmtime, default=None)
if report is None:
    sys.exit("no report under " + root)
if os.path.isdir(report):
    report = os.path.join(report, "index.html")
page = open(report, encoding="utf-8").read()
start = page.find("StatsContainerId")
text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page[start:page.find("<div id=\"ResponseTimeContain", start)]))
text = text.replace("&nbsp;", "|")
body = text.split("Mean Std Dev", 1)[1]
print(f"report: {os.path.dirname(os.path.abspath(report))}")
print("| request | total | OK | KO | req/s | min | p50 | p75 | p95 | p99 | max | mean |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for row in body.split("|")[1:]:
    m = re.match(r"\s*(.+?) \d+ (\d+) (\d+) (\d+) (\S+) ([\d.]+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)", row)
    if m:
        name, total, ok, ko, _pct, rps, mn, p50, p75, p95, p99, mx, mean, _sd = m.groups()
        print(f"| {name} | {total} | {ok} | {ko} | {rps} | {mn} | {p50} | {p75} | {p95} | {p99} | {mx} | {mean} |")
