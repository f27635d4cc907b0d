"""``cloud.iam.explain(principal, action, resource)``: why a request would be allowed or denied.

The answer is an :class:`Explanation`: its text (``str``/``repr``) names the caller, the
decision, every policy that took part (identity-based, the resource's own policy such as an
S3 bucket policy, the permissions boundary, session policies) with the statements of each that
matched, and the rule that decided, quoting the deciding statement. ``.decision`` is the
evaluation engine's :class:`~awskit.iam.evaluation.Decision` (``.decision.decision`` is IAM's
EvalDecision: ``allowed``, ``explicitDeny`` or ``implicitDeny``); ``.details()`` lists every
statement of every policy and why it did or did not match.

It evaluates exactly as a real request would (same policies, same global condition keys: the
cloud's default Region, TLS, the cloud's source IP, the current simulated time); pass
``context={...}`` to add or override condition keys.
"""

from __future__ import annotations

import json

_TYPES = {"aws-managed": "AWS managed policy", "user-managed": "customer managed policy",
          "user": "inline", "group": "inline", "role": "inline", "resource": "resource-based",
          "none": "session policy"}


def resource_policy_label(resource: str) -> str:
    """How the resource's own policy is named in decisions (S3 names it as its bucket's)."""
    if resource.startswith("arn:aws:s3:::"):
        bucket = resource[len("arn:aws:s3:::"):].split("/", 1)[0]
        return f"arn:aws:s3:::{bucket} (bucket policy)"
    return f"{resource} (resource-based policy)"


class Explanation:
    """A short, exact account of one authorization decision (see the module docstring)."""

    def __init__(self, principal, action: str, resource: str, decision, considered: dict):
        self.principal = principal
        self.action = action
        self.resource = resource
        self.decision = decision
        self._considered = considered
        self._text = self._render()

    @property
    def allowed(self) -> bool:
        return self.decision.allowed

    @property
    def verdict(self) -> str:
        """IAM's EvalDecision: ``allowed``, ``explicitDeny`` or ``implicitDeny``."""
        return self.decision.decision

    def details(self) -> str:
        """Every statement of every policy considered, and why it matched or not."""
        return self.decision.explain()

    # -- text -------------------------------------------------------------------------------
    def _policy_line(self, title: str, source_id: str, source_type: str) -> list[str]:
        verdict = self.decision.details.get(source_id, "implicitDeny")
        hits = [m for m in self.decision.matched if m.source.source_id == source_id]
        kind = _TYPES.get(source_type, source_type)
        line = f"  {title}: {source_id} [{kind}] -> {verdict}"
        if not hits:
            return [line + " (no statement applies)"]
        return [line] + [f"      matched statement {m.statement.label} ({m.statement.effect})"
                         for m in hits]

    def _render(self) -> str:
        p, d, c = self.principal, self.decision, self._considered
        who = "an anonymous caller" if p.kind == "anonymous" else p.arn
        out = [f"{who} -> {self.action} on {self.resource}: "
               f"{'ALLOWED' if d.allowed else 'DENIED'} ({d.decision})",
               "Policies considered:"]
        if c["identity"] is None:
            what = "the account root user" if p.kind == "root" else "an anonymous caller"
            out.append(f"  identity-based: not applicable ({what})")
        elif not c["identity"]:
            out.append("  identity-based: none")
        for source in c["identity"] or ():
            out += self._policy_line("identity-based", source.source_id, source.source_type)
        if c["resource"] is None:
            out.append("  resource-based: none")
        else:
            out += self._policy_line("resource-based", c["resource"], "resource")
        if c["boundary"] is not None:
            out += self._policy_line("permissions boundary", c["boundary"].source_id,
                                     c["boundary"].source_type)
        for source in c["session"]:
            out += self._policy_line("session policy", source.source_id, "none")
        out.append(f"Why: {d.reason}")
        if d.deciding is not None:
            st = d.deciding.statement
            out.append(f"Deciding statement {st.label} of {d.deciding.source.source_id}: "
                       + json.dumps(st.to_dict(), separators=(", ", ": ")))
        if d.missing_context_keys:
            out.append("Condition keys the request did not carry: "
                       + ", ".join(d.missing_context_keys))
        return "\n".join(out)

    def __str__(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return self._text
