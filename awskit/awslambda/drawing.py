"""How Lambda's traces are drawn: who asked for each step.

The generic drawing (:mod:`awskit.diagrams.traces`) sends every step from the service's
front door. Lambda's components hand work down a chain, so its diagrams say who asked:

- the front end asks the counting service and the assignment service;
- the assignment service asks the placement service for a new environment, and writes every
  change to its **journal log** (an external log, drawn as a node of its own);
- the placement service picks a worker host, which hands out a Firecracker microVM;
- on the worker host the microVM boots or restores, the runtime starts, the code comes from
  component storage, INIT and INVOKE run in the execution environment, whose output goes to
  CloudWatch Logs;
- the front end's answer goes back to the caller; a poller takes async events off the event
  queue and calls the front end like any other caller.
"""

from __future__ import annotations

JOURNAL = "Journal log"
FRONT = "Front end"

_ASKED_BY = {
    "Placement service": "Assignment service",
    "Firecracker microVM": "Worker host",
    "Execution environment": "Worker host",
    "CloudWatch Logs": "Execution environment",
}


def edge(trace, index: int, step, caller: str | None):
    """(source, target) of a Lambda step's edge, or None for the default drawing."""
    component, action = step.component, step.action
    if trace.service != "lambda":
        return None
    if component == FRONT and action.startswith("Respond"):
        return (FRONT, caller) if caller else None
    if component == "Assignment service" and action.startswith("Journal #"):
        return ("Assignment service", JOURNAL)
    if component == "Poller" and action.startswith("Receive event"):
        return ("Event queue", "Poller")
    if component == "Poller":
        return ("Poller", "Event queue")          # success: delete; failure: back or onward
    if component == "Worker host" and action.startswith("Take pre-booted"):
        return ("Placement service", component)
    if component == "Component storage":
        if action.startswith("Fetch"):
            return ("Worker host", component)
        if action.startswith("Store snapshot"):
            return ("Firecracker microVM", component)
        return None
    if component in _ASKED_BY and _ASKED_BY[component] in trace.components:
        return (_ASKED_BY[component], component)
    if index > 0 and component not in (FRONT, trace.steps[0].component) \
            and FRONT in trace.components:
        return (FRONT, component)
    return None
