#!/usr/bin/env python3
"""Expand `handoff gen` tickets (stdin) into an event log grouped by ticket (stdout): each
ticket becomes EVENTS update rows (ServiceNow-like: number, sys_updated_at, state, group,
message, and a snapshot of the ticket's columns), seeded so the file is the same every run.

Usage: handoff gen --rows N --seed 1 | bench/expand_events.py EVENTS SEED > events.csv
"""
import csv
import random
import sys
from datetime import datetime, timedelta

events_per_ticket = int(sys.argv[1])
rng = random.Random(int(sys.argv[2]))
reader = csv.DictReader(sys.stdin)
writer = csv.writer(sys.stdout, lineterminator="\n")
snapshot = ["confidence", "sentiment", "customer_tier", "channel", "category", "priority",
            "requested_human", "resolved_at", "resolved_tier", "csat", "conversation",
            "customer_record"]
writer.writerow(["number", "sys_updated_at", "state", "group", "inbound", "message"] + snapshot)
states = ["New", "Active", "Active", "Pending", "Resolved"]
groups = ["L1", "L1", "L2", "L1", "L3"]
for t in reader:
    at = datetime.strptime(t["created_at"], "%Y-%m-%dT%H:%M:%SZ")
    values = [t[c] for c in snapshot]
    for i in range(events_per_ticket):
        state = states[min(i, len(states) - 1)] if i < events_per_ticket - 1 else "Resolved"
        group = groups[rng.randrange(len(groups))]
        inbound = "true" if i == 0 or rng.random() < 0.3 else "false"
        message = t["text"] if i == 0 else ("customer follow-up" if inbound == "true" else "agent note")
        writer.writerow([t["id"], at.strftime("%Y-%m-%dT%H:%M:%SZ"), state, group, inbound, message]
                        + values)
        at += timedelta(minutes=rng.randrange(1, 240))
