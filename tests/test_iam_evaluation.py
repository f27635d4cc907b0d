"""IAM policy evaluation: conditions, wildcards, variables and the decision logic."""

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from awskit.iam import managed
from awskit.iam.evaluation import AuthzRequest, Decision, PolicySource, evaluate
from awskit.iam.policy import Policy

ACCT, OTHER = "111122223333", "444455556666"
ALICE = f"arn:aws:iam::{ACCT}:user/alice"
BOB = f"arn:aws:iam::{ACCT}:user/bob"
ROLE = f"arn:aws:iam::{ACCT}:role/App"
SESSION = f"arn:aws:sts::{ACCT}:assumed-role/App/s1"
ROOT = f"arn:aws:iam::{ACCT}:root"
OUTSIDER = f"arn:aws:iam::{OTHER}:user/carol"
OBJ = "arn:aws:s3:::bucket/key.txt"
MISSING = object()


def policy(*statements, kind="identity", version="2012-10-17"):
    document = {"Statement": list(statements)}
    if version:
        document = {"Version": version, **document}
    return Policy.parse(document, kind=kind)


def allow(action="*", resource="*", **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action="*", resource="*", **extra):
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def ident(*statements, name="inline", version="2012-10-17"):
    return PolicySource(policy(*statements, version=version), name, "user")


def res(*statements, name="arn:aws:s3:::bucket", kind="resource"):
    return PolicySource(policy(*statements, kind=kind), name, "resource", "resource")


def req(action="s3:GetObject", resource=OBJ, principal=ALICE, **kw) -> AuthzRequest:
    return AuthzRequest(action=action, resource=resource, principal_arn=principal, **kw)


# -- conditions: every operator, its IfExists / negated / set forms, missing keys ----------------
def cond(operator, values, context_value, key="test:key", version="2012-10-17") -> bool:
    """Does an Allow with this one condition grant the request?"""
    context = {} if context_value is MISSING else {key: context_value}
    source = ident(allow(Condition={operator: {key: values}}), version=version)
    return evaluate(req(context=context), [source]).allowed


CASES = [
    # strings
    ("StringEquals", "a", "a", True), ("StringEquals", "a", "A", False),
    ("StringEquals", "a", MISSING, False), ("StringEquals", ["a", "b"], "b", True),
    ("StringNotEquals", "a", "b", True), ("StringNotEquals", "a", "a", False),
    ("StringNotEquals", "a", MISSING, True), ("StringNotEquals", ["a", "b"], "b", False),
    ("StringNotEquals", ["a", "b"], "c", True),
    ("StringEqualsIgnoreCase", "ABC", "abc", True), ("StringEqualsIgnoreCase", "ABC", "abd", False),
    ("StringNotEqualsIgnoreCase", "ABC", "abc", False),
    ("StringNotEqualsIgnoreCase", "ABC", "x", True),
    ("StringLike", "home/*", "home/a/b", True), ("StringLike", "home/*", "Home/a", False),
    ("StringLike", "a?c", "abc", True), ("StringLike", "a?c", "ac", False),
    ("StringLike", "*", "", True), ("StringLike", "a.c", "abc", False),
    ("StringLike", "[ab]", "a", False), ("StringLike", "[ab]", "[ab]", True),
    ("StringNotLike", "home/*", "other", True), ("StringNotLike", "home/*", "home/x", False),
    ("StringNotLike", "home/*", MISSING, True),
    # numbers
    ("NumericEquals", "10", "10", True), ("NumericEquals", "10", "10.0", True),
    ("NumericEquals", 10, "10", True), ("NumericEquals", "10", "11", False),
    ("NumericEquals", "10", "ten", False), ("NumericEquals", "10", MISSING, False),
    ("NumericNotEquals", "10", "11", True), ("NumericNotEquals", "10", "10", False),
    ("NumericNotEquals", "10", MISSING, True),
    ("NumericLessThan", "10", "9", True), ("NumericLessThan", "10", "10", False),
    ("NumericLessThanEquals", "10", "10", True), ("NumericLessThanEquals", "10", "11", False),
    ("NumericGreaterThan", "10", "11", True), ("NumericGreaterThan", "10", "10", False),
    ("NumericGreaterThanEquals", "10", "10", True), ("NumericGreaterThanEquals", "10", "9", False),
    ("NumericLessThan", "1.5", "1.25", True), ("NumericGreaterThan", "-1", "0", True),
    # dates: ISO 8601 or epoch seconds, on either side
    ("DateGreaterThan", "2020-01-01T00:00:00Z", "2021-05-01T00:00:00Z", True),
    ("DateGreaterThan", "2020-01-01T00:00:00Z", "2019-05-01T00:00:00Z", False),
    ("DateGreaterThan", "2020-01-01T00:00:00Z", "1600000000", True),
    ("DateLessThan", "1577836800", "2019-12-31T23:59:59Z", True),
    ("DateLessThan", "1577836800", "2020-01-01T00:00:00Z", False),
    ("DateLessThanEquals", "1577836800", "2020-01-01T00:00:00Z", True),
    ("DateEquals", "2020-01-01T00:00:00Z", "1577836800", True),
    ("DateEquals", "2020-01-01", "2020-01-01T00:00:00Z", True),
    ("DateNotEquals", "2020-01-01T00:00:00Z", "2020-01-02T00:00:00Z", True),
    ("DateNotEquals", "2020-01-01T00:00:00Z", MISSING, True),
    ("DateGreaterThanEquals", "2020-01-01T00:00:00+01:00", "2019-12-31T23:00:00Z", True),
    ("DateGreaterThan", "2020-01-01T00:00:00Z", "not a date", False),
    ("DateGreaterThan", "2020-01-01T00:00:00Z", MISSING, False),
    # booleans
    ("Bool", "true", "true", True), ("Bool", True, "true", True), ("Bool", "true", True, True),
    ("Bool", "true", "false", False), ("Bool", "false", False, True), ("Bool", "TRUE", "true", True),
    ("Bool", "true", MISSING, False),
    # binary (base64 in the policy)
    ("BinaryEquals", "QmluYXJ5", b"Binary", True), ("BinaryEquals", "QmluYXJ5", "QmluYXJ5", True),
    ("BinaryEquals", "QmluYXJ5", b"binary", False), ("BinaryEquals", "QmluYXJ5", MISSING, False),
    # IP addresses, v4 and v6, prefix default /32
    ("IpAddress", "203.0.113.0/24", "203.0.113.5", True),
    ("IpAddress", "203.0.113.0/24", "198.51.100.1", False),
    ("IpAddress", "203.0.113.5", "203.0.113.5", True), ("IpAddress", "203.0.113.5", "203.0.113.6", False),
    ("IpAddress", "2001:DB8:1234:5678::/64", "2001:db8:1234:5678::1", True),
    ("IpAddress", "2001:DB8:1234:5678::/64", "203.0.113.5", False),
    ("IpAddress", ["10.0.0.0/8", "203.0.113.0/24"], "10.1.2.3", True),
    ("IpAddress", "203.0.113.0/24", "garbage", False), ("IpAddress", "203.0.113.0/24", MISSING, False),
    ("NotIpAddress", "203.0.113.0/24", "198.51.100.1", True),
    ("NotIpAddress", "203.0.113.0/24", "203.0.113.9", False),
    ("NotIpAddress", "203.0.113.0/24", MISSING, True),
    # ARNs: fields matched separately
    ("ArnEquals", "arn:aws:sns:us-east-1:111122223333:topic", "arn:aws:sns:us-east-1:111122223333:topic", True),
    ("ArnEquals", "arn:aws:sns:us-east-1:111122223333:topic", "arn:aws:sns:us-east-1:111122223333:other", False),
    ("ArnLike", "arn:aws:sns:*:111122223333:*", "arn:aws:sns:eu-west-1:111122223333:t", True),
    ("ArnLike", "arn:aws:someservice:*:111122223333:finance/*",
     "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt", False),
    ("StringLike", "arn:aws:someservice:*:111122223333:finance/*",
     "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt", True),
    ("ArnNotEquals", "arn:aws:sns:*:111122223333:*", "arn:aws:sns:us-east-1:999999999999:t", True),
    ("ArnNotLike", "arn:aws:sns:*:111122223333:*", "arn:aws:sns:us-east-1:111122223333:t", False),
    ("ArnNotLike", "arn:aws:sns:*:111122223333:*", MISSING, True),
    ("ArnLike", "arn:aws:sns:*:111122223333:*", MISSING, False),
    # Null: "true" means the key is absent
    ("Null", "true", MISSING, True), ("Null", "true", "x", False),
    ("Null", "false", "x", True), ("Null", "false", MISSING, False), ("Null", True, MISSING, True),
    # ...IfExists: true when the key is absent, otherwise the operator itself
    ("StringEqualsIfExists", "a", MISSING, True), ("StringEqualsIfExists", "a", "b", False),
    ("StringEqualsIfExists", "a", "a", True), ("NumericLessThanIfExists", "5", MISSING, True),
    ("NumericLessThanIfExists", "5", "9", False), ("BoolIfExists", "true", MISSING, True),
    ("BoolIfExists", "true", "false", False), ("IpAddressIfExists", "10.0.0.0/8", MISSING, True),
    ("StringNotEqualsIfExists", "a", "a", False), ("StringNotEqualsIfExists", "a", MISSING, True),
    ("DateLessThanIfExists", "2020-01-01T00:00:00Z", MISSING, True),
    ("ArnLikeIfExists", "arn:aws:sns:*:*:*", MISSING, True),
    ("BinaryEqualsIfExists", "QmluYXJ5", MISSING, True),
    # set qualifiers
    ("ForAllValues:StringEquals", ["a", "b"], ["a"], True),
    ("ForAllValues:StringEquals", ["a", "b"], ["a", "c"], False),
    ("ForAllValues:StringEquals", ["a", "b"], MISSING, True),
    ("ForAllValues:StringEquals", ["a", "b"], [], True),
    ("ForAllValues:StringLike", ["Post*", "Message"], ["PostDateTime", "Message"], True),
    ("ForAnyValue:StringEquals", ["a", "b"], ["c", "b"], True),
    ("ForAnyValue:StringEquals", ["a", "b"], ["c"], False),
    ("ForAnyValue:StringEquals", ["a", "b"], MISSING, False),
    ("ForAnyValue:StringEquals", ["a", "b"], [], False),
    ("ForAnyValue:StringEqualsIfExists", ["a"], MISSING, True),
    ("ForAllValues:StringEqualsIfExists", ["a"], ["b"], False),
    ("ForAllValues:StringNotEquals", ["a"], ["b", "c"], True),
    ("ForAllValues:StringNotEquals", ["a"], ["a", "b"], False),
    ("ForAnyValue:StringNotEquals", ["a"], ["a", "b"], True),
    ("ForAnyValue:StringNotEquals", ["a"], ["a"], False),
    ("ForAnyValue:NumericGreaterThan", "5", ["1", "7"], True),
    ("ForAllValues:NumericGreaterThan", "5", ["1", "7"], False),
    ("ForAnyValue:IpAddress", "10.0.0.0/8", ["192.0.2.1", "10.0.0.1"], True),
    # a multi-valued key without a qualifier: any value may match (negated: none may)
    ("StringEquals", "a", ["b", "a"], True), ("StringNotEquals", "a", ["b", "a"], False),
]


@pytest.mark.parametrize("operator, values, context_value, expected", CASES)
def test_condition_operator(operator, values, context_value, expected):
    assert cond(operator, values, context_value) is expected


def test_several_operators_keys_and_values_combine_as_documented():
    block = {"StringEquals": {"aws:PrincipalTag/team": ["dev", "ops"], "aws:RequestedRegion": "eu-west-1"},
             "Bool": {"aws:SecureTransport": "true"}}
    source = ident(allow(Condition=block))
    ok = {"aws:PrincipalTag/team": "ops", "aws:RequestedRegion": "eu-west-1", "aws:SecureTransport": "true"}
    assert evaluate(req(context=ok), [source]).allowed                               # OR of values
    for key, bad in (("aws:PrincipalTag/team", "qa"), ("aws:RequestedRegion", "us-east-1"),
                     ("aws:SecureTransport", "false")):                               # AND of keys/ops
        assert not evaluate(req(context={**ok, key: bad}), [source]).allowed


def test_condition_key_names_are_case_insensitive_values_are_not():
    source = ident(allow(Condition={"StringEquals": {"AWS:PrincipalTag/Team": "Dev"}}))
    assert evaluate(req(context={"aws:principaltag/team": "Dev"}), [source]).allowed
    assert not evaluate(req(context={"aws:principaltag/team": "dev"}), [source]).allowed


# -- Action and Resource wildcards --------------------------------------------------------------
@pytest.mark.parametrize("pattern, action, expected", [
    ("s3:GetObject", "s3:GetObject", True), ("S3:getobject", "s3:GetObject", True),
    ("s3:Get*", "s3:GetObjectTagging", True), ("s3:Get?bject", "s3:GetObject", True),
    ("s3:Get?bject", "s3:GetObjectAcl", False), ("s3:*", "sqs:SendMessage", False),
    ("*", "iam:CreateUser", True), ("*:Get*", "s3:GetObject", True), ("s3:Put*", "s3:GetObject", False),
])
def test_action_patterns(pattern, action, expected):
    assert evaluate(req(action), [ident(allow(pattern))]).allowed is expected


@pytest.mark.parametrize("pattern, resource, expected", [
    ("arn:aws:s3:::bucket/*", OBJ, True),
    ("arn:aws:s3:::Bucket/*", OBJ, False),                                      # case-sensitive
    ("arn:aws:s3:::bucket/KEY.txt", OBJ, False),
    ("arn:aws:s3:::buck?t/*", OBJ, True),
    ("arn:aws:s3:::*", OBJ, True),
    ("arn:aws:s3:::bucket", OBJ, False),
    ("*", OBJ, True),
    ("arn:aws:logs:us-east-1:111122223333:log-group:*",
     "arn:aws:logs:us-east-1:111122223333:log-group:g:log-stream:s", True),     # resource part
    ("arn:aws:sqs:*:111122223333:q", "arn:aws:sqs:us-east-1:111122223333:q", True),
    ("arn:aws:sqs:*:111122223333:q", "arn:aws:sqs:us-east-1:999:x:111122223333:q", False),  # no ':' crossing
    ("arn:aws:iam::*:user/*", ALICE, True),
    ("arn:aws:iam::*", ALICE, True),                                            # short pattern
    ("arn:aws:s3:::bucket/*", "*", False),
])
def test_resource_patterns(pattern, resource, expected):
    assert evaluate(req(resource=resource), [ident(allow("s3:GetObject", pattern))]).allowed is expected


def test_star_resource_matches_actions_without_resources():
    assert evaluate(req("s3:ListAllMyBuckets", "*"), [ident(allow("s3:List*", "*"))]).allowed


@settings(max_examples=200, deadline=None)
@given(st.text("ab*?/:", max_size=8), st.text("ab/:", max_size=8))
def test_string_like_matches_a_reference_implementation(pattern, value):
    import fnmatch
    expected = fnmatch.fnmatchcase(value, pattern)          # no '[' in the alphabet: same rules
    assert cond("StringLike", pattern, value) is expected


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"[a-z0-9-]{1,10}:[A-Za-z]{1,12}", fullmatch=True), st.data())
def test_actions_match_case_insensitively(action, data):
    pattern = "".join(c.upper() if data.draw(st.booleans()) else c.lower() for c in action)
    service = action.split(":")[0]
    assert evaluate(req(action), [ident(allow(pattern))]).allowed
    assert evaluate(req(action), [ident(allow(f"{service}:*"))]).allowed
    assert not evaluate(req(action), [ident(allow(f"x{service}:*"))]).allowed


# -- policy variables ----------------------------------------------------------------------------
HOME = "arn:aws:s3:::bucket/home/${aws:username}/*"


def test_username_variable_in_resource():
    source = ident(allow("s3:*", HOME))
    assert evaluate(req(resource="arn:aws:s3:::bucket/home/alice/notes"), [source]).allowed
    assert not evaluate(req(resource="arn:aws:s3:::bucket/home/bob/notes"), [source]).allowed
    assert evaluate(req(resource="arn:aws:s3:::bucket/home/bob/x", principal=BOB), [source]).allowed


def test_variables_are_literal_text_before_version_2012_10_17():
    for version in ("2008-10-17", None):
        source = ident(allow("s3:*", HOME), version=version)
        assert not evaluate(req(resource="arn:aws:s3:::bucket/home/alice/x"), [source]).allowed
        assert evaluate(req(resource="arn:aws:s3:::bucket/home/${aws:username}/x"), [source]).allowed


def test_missing_variable_does_not_match_unless_it_has_a_default():
    source = ident(allow("s3:*", HOME))
    assert not evaluate(req(resource="arn:aws:s3:::bucket/home/s1/x", principal=SESSION,
                            role_arn=ROLE), [source]).allowed            # roles have no username
    with_default = ident(allow("s3:*", "arn:aws:s3:::bucket/home/${aws:username, 'guest'}/*"))
    assert evaluate(req(resource="arn:aws:s3:::bucket/home/guest/x", principal=SESSION,
                        role_arn=ROLE), [with_default]).allowed
    assert evaluate(req(resource="arn:aws:s3:::bucket/home/alice/x"), [with_default]).allowed
    assert not evaluate(req(resource="arn:aws:s3:::bucket/home/guest/x"), [with_default]).allowed


def test_special_character_variables():
    star = ident(allow("s3:*", "arn:aws:s3:::bucket/${*}"))
    assert evaluate(req(resource="arn:aws:s3:::bucket/*"), [star]).allowed
    assert not evaluate(req(resource="arn:aws:s3:::bucket/x"), [star]).allowed
    question = ident(allow("s3:*", "arn:aws:s3:::bucket/what${?}"))
    assert evaluate(req(resource="arn:aws:s3:::bucket/what?"), [question]).allowed
    assert not evaluate(req(resource="arn:aws:s3:::bucket/whats"), [question]).allowed
    dollar = ident(allow("s3:*", "arn:aws:s3:::bucket/${$}{x}"))
    assert evaluate(req(resource="arn:aws:s3:::bucket/${x}"), [dollar]).allowed


def test_variable_values_are_matched_literally():
    source = ident(allow("s3:*", "arn:aws:s3:::bucket/${aws:PrincipalTag/team}/*"))
    ctx = {"aws:PrincipalTag/team": "*"}
    assert evaluate(req(resource="arn:aws:s3:::bucket/*/x", context=ctx), [source]).allowed
    assert not evaluate(req(resource="arn:aws:s3:::bucket/dev/x", context=ctx), [source]).allowed
    assert evaluate(req(resource="arn:aws:s3:::bucket/dev/x",
                        context={"aws:PrincipalTag/team": "dev"}), [source]).allowed


def test_variables_in_condition_values():
    source = ident(allow("s3:ListBucket", "arn:aws:s3:::bucket",
                         Condition={"StringLike": {"s3:prefix": ["", "home/", "home/${aws:username}/*"]}}))
    list_ = lambda prefix, who=ALICE: evaluate(req("s3:ListBucket", "arn:aws:s3:::bucket", who,
                                                   context={"s3:prefix": prefix}), [source]).allowed
    assert list_("home/alice/photos") and list_("") and not list_("home/bob/x")
    assert list_("home/bob/x", BOB)
    arn = ident(allow(Condition={"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:${aws:PrincipalAccount}:t"}}))
    assert evaluate(req(context={"aws:SourceArn": f"arn:aws:sns:us-east-1:{ACCT}:t"}), [arn]).allowed
    # numeric operators do not substitute variables
    assert not cond("NumericEquals", "${test:n}", "5") and not cond("NumericEquals", "${test:n}", "${test:n}")


def test_unresolved_variable_never_makes_a_negated_condition_true():
    source = ident(allow(Condition={"StringNotEquals": {"test:key": "${aws:PrincipalTag/none}"}}))
    assert not evaluate(req(context={"test:key": "x"}), [source]).allowed


def test_variable_before_the_resource_part_is_not_substituted():
    source = ident(allow("iam:GetUser", "arn:aws:iam::${aws:PrincipalAccount}:user/*"))
    assert not evaluate(req("iam:GetUser", ALICE), [source]).allowed


# -- the decision logic ---------------------------------------------------------------------------
def test_no_policy_means_implicit_deny():
    d = evaluate(req())
    assert (d.decision, d.allowed, d.deciding, d.matched) == ("implicitDeny", False, None, [])
    assert d.reason == "Denied: no identity-based policy allows s3:GetObject"


def test_explicit_deny_beats_allow_everywhere():
    allow_all = ident(allow(), name="admin")
    for kwargs in ({"identity": [allow_all, ident(deny("s3:GetObject"), name="deny")]},
                   {"identity": [allow_all], "resource": [res(deny(Principal="*"))]},
                   {"identity": [allow_all], "boundary": PolicySource(policy(allow(), deny("s3:*")), "b", "user-managed", "boundary")},
                   {"identity": [allow_all], "session": [PolicySource(policy(deny()), "s", "none", "session")]},
                   {"identity": [allow_all], "scps": [PolicySource(policy(allow(), deny("s3:Get*")), "scp", "none", "scp")]}):
        d = evaluate(req(), **kwargs)
        assert d.decision == "explicitDeny" and not d.allowed, kwargs
        assert d.deciding.effect == "Deny" and d.reason.startswith("Denied: explicit deny by statement")


def test_deny_reason_names_the_statement_and_policy():
    d = evaluate(req(), [ident(allow(), name="ok"), ident(dict(deny("s3:*"), Sid="NoS3"), name="guard")])
    assert d.reason == "Denied: explicit deny by statement 'NoS3' in policy guard (an identity-based policy)"
    assert d.details == {"ok": "allowed", "guard": "explicitDeny"}
    assert [m.source_id for m in d.matched] == ["ok", "guard"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["Allow", "Deny"]),
                          st.sampled_from(["s3:GetObject", "s3:*", "sqs:*", "*", "s3:Put*"])),
                min_size=1, max_size=6),
       st.sampled_from(["s3:GetObject", "s3:PutObject", "sqs:SendMessage"]))
def test_any_matching_deny_wins(statements, action):
    source = ident(*[{"Effect": e, "Action": a, "Resource": "*"} for e, a in statements])
    d = evaluate(req(action), [source])
    hits = [e for e, a in statements if evaluate(req(action), [ident(allow(a))]).allowed]
    expected = "explicitDeny" if "Deny" in hits else "allowed" if hits else "implicitDeny"
    assert d.decision == expected
    assert len(d.matched) == len(hits)


def test_root_user_is_allowed_unless_a_resource_policy_or_scp_denies():
    root = dict(principal=ROOT, is_root=True)
    assert evaluate(req(**root)).allowed
    assert evaluate(req(**root), [ident(deny())]).allowed             # identity policies cannot bind root
    d = evaluate(req(**root), resource=[res(deny(Principal={"AWS": ACCT}))])
    assert d.decision == "explicitDeny"
    scp_deny = PolicySource(policy(allow(), deny("s3:*")), "scp", "none", "scp")
    assert evaluate(req(**root), scps=[scp_deny]).decision == "explicitDeny"
    scp_narrow = PolicySource(policy(allow("ec2:*")), "scp", "none", "scp")
    d = evaluate(req(**root), scps=[scp_narrow])
    assert d.decision == "implicitDeny" and "service control policy" in d.reason


def test_same_account_resource_policy_alone_can_allow():
    bucket = res(allow("s3:GetObject", "arn:aws:s3:::bucket/*", Principal={"AWS": ALICE}))
    d = evaluate(req(), resource=[bucket])
    assert d.allowed and d.deciding.source_id == "arn:aws:s3:::bucket"
    assert d.reason == "Allowed by statement #1 in policy arn:aws:s3:::bucket"
    assert not evaluate(req(principal=BOB), resource=[bucket]).allowed


def test_same_account_resource_policy_naming_the_account_delegates_to_identity_policies():
    bucket = res(allow("s3:GetObject", "arn:aws:s3:::bucket/*", Principal={"AWS": ACCT}))
    assert not evaluate(req(), resource=[bucket]).allowed
    assert evaluate(req(), [ident(allow("s3:GetObject"))], [bucket]).allowed


def test_cross_account_needs_both_sides():
    grant = res(allow("s3:GetObject", "arn:aws:s3:::bucket/*", Principal={"AWS": OUTSIDER}))
    identity = ident(allow("s3:GetObject"))
    r = req(principal=OUTSIDER, resource_account=ACCT)
    assert evaluate(r, [identity], [grant]).allowed
    d = evaluate(r, [identity])
    assert not d.allowed and "cross-account" in d.reason and "no resource-based policy" in d.reason
    d = evaluate(r, [], [grant])
    assert not d.allowed and "no identity-based policy in account 444455556666" in d.reason
    by_account = res(allow("s3:GetObject", "*", Principal={"AWS": OTHER}))
    by_root = res(allow("s3:GetObject", "*", Principal={"AWS": f"arn:aws:iam::{OTHER}:root"}))
    assert evaluate(r, [identity], [by_account]).allowed and evaluate(r, [identity], [by_root]).allowed
    other_root = req(principal=f"arn:aws:iam::{OTHER}:root", is_root=True, resource_account=ACCT)
    assert evaluate(other_root, [], [by_account]).allowed
    assert not evaluate(other_root).allowed


def test_anonymous_callers_need_a_public_resource_policy():
    anon = req(principal="*", anonymous=True)
    for principal in ("*", {"AWS": "*"}):
        assert evaluate(anon, resource=[res(allow("s3:GetObject", "arn:aws:s3:::bucket/*",
                                                  Principal=principal))]).allowed
    assert not evaluate(anon, resource=[res(allow(Principal={"AWS": ACCT}))]).allowed
    d = evaluate(anon, [ident(allow())])                       # identity policies do not apply
    assert not d.allowed and "anonymous" in d.reason


def test_service_principals():
    fn = res(allow("lambda:InvokeFunction", "*", Principal={"Service": "s3.amazonaws.com"}),
             name="arn:aws:lambda:us-east-1:111122223333:function:f")
    call = req("lambda:InvokeFunction", "arn:aws:lambda:us-east-1:111122223333:function:f",
               "*", service_principal="s3.amazonaws.com")
    assert evaluate(call, resource=[fn]).allowed
    call.service_principal = "sns.amazonaws.com"
    assert not evaluate(call, resource=[fn]).allowed


def test_not_action_and_not_resource():
    poweruser = ident({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    assert evaluate(req(), [poweruser]).allowed
    assert not evaluate(req("iam:CreateUser", "*"), [poweruser]).allowed
    fence = ident(allow(), {"Effect": "Deny", "Action": "s3:*", "NotResource": [
        "arn:aws:s3:::bucket", "arn:aws:s3:::bucket/*"]})
    assert evaluate(req(), [fence]).allowed
    assert evaluate(req(resource="arn:aws:s3:::other/k"), [fence]).decision == "explicitDeny"


def test_not_principal_with_deny_uses_the_literal_rule():
    guard = res(allow(Principal="*"), {"Effect": "Deny", "NotPrincipal": {"AWS": [BOB, ROLE]},
                                       "Action": "s3:*", "Resource": "*"})
    assert evaluate(req(principal=BOB), resource=[guard]).allowed
    assert evaluate(req(principal=ALICE), resource=[guard]).decision == "explicitDeny"
    # the session ARN is not listed (only its role), so the session is denied
    assert evaluate(req(principal=SESSION, role_arn=ROLE), resource=[guard]).decision == "explicitDeny"
    assert evaluate(req(principal="*", anonymous=True), resource=[guard]).decision == "explicitDeny"


def test_permissions_boundary_intersects_identity_policies():
    identity = ident(allow("s3:*"))
    boundary = PolicySource(policy(allow("s3:Get*")), "arn:aws:iam::111122223333:policy/Boundary",
                            "user-managed", "boundary")
    d = evaluate(req(), [identity], boundary=boundary)
    assert d.allowed and d.boundary_allowed is True
    d = evaluate(req("s3:PutObject"), [identity], boundary=boundary)
    assert d.decision == "implicitDeny" and d.boundary_allowed is False
    assert "permissions boundary arn:aws:iam::111122223333:policy/Boundary does not allow" in d.reason
    assert d.to_api()["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": False}
    # the boundary grants nothing by itself
    assert not evaluate(req(), [], boundary=boundary).allowed


def test_resource_policy_naming_the_user_is_not_limited_by_the_boundary():
    boundary = PolicySource(policy(allow("ec2:*")), "b", "user-managed", "boundary")
    bucket = res(allow("s3:PutObject", "arn:aws:s3:::bucket/*", Principal={"AWS": ALICE}))
    assert evaluate(req("s3:PutObject"), [], [bucket], boundary=boundary).allowed
    by_account = res(allow("s3:PutObject", "arn:aws:s3:::bucket/*", Principal={"AWS": ACCT}))
    assert not evaluate(req("s3:PutObject"), [ident(allow())], [by_account], boundary=boundary).allowed


def test_session_policies_and_resource_policies_naming_role_or_session():
    role_policy = PolicySource(policy(allow("s3:*")), "role/App/inline", "role")
    session = [PolicySource(policy(allow("s3:GetObject")), "session-policy-1", "none", "session")]
    as_session = dict(principal=SESSION, role_arn=ROLE)
    assert evaluate(req(**as_session), [role_policy], session=session).allowed
    d = evaluate(req("s3:PutObject", **as_session), [role_policy], session=session)
    assert d.decision == "implicitDeny" and "session policy" in d.reason
    names_session = res(allow("s3:PutObject", "*", Principal={"AWS": SESSION}))
    names_role = res(allow("s3:PutObject", "*", Principal={"AWS": ROLE}))
    assert evaluate(req("s3:PutObject", **as_session), [role_policy], [names_session], session=session).allowed
    assert not evaluate(req("s3:PutObject", **as_session), [role_policy], [names_role], session=session).allowed
    # without session policies a resource policy naming the role grants on its own
    assert evaluate(req("s3:PutObject", **as_session), [], [names_role]).allowed


def test_trust_policies_must_allow_the_principal():
    trust_user = PolicySource(policy({"Effect": "Allow", "Principal": {"AWS": ALICE},
                                      "Action": "sts:AssumeRole"}, kind="trust"), ROLE, "resource", "resource")
    trust_account = PolicySource(policy({"Effect": "Allow", "Principal": {"AWS": ACCT},
                                         "Action": "sts:AssumeRole"}, kind="trust"), ROLE, "resource", "resource")
    assume = lambda who=ALICE: req("sts:AssumeRole", ROLE, who)
    can_assume = ident(allow("sts:AssumeRole", ROLE))
    assert evaluate(assume(), [], [trust_user]).allowed
    d = evaluate(assume(BOB), [can_assume], [trust_user])
    assert not d.allowed and "trust policy" in d.reason
    assert not evaluate(assume(), [], [trust_account]).allowed
    assert evaluate(assume(), [can_assume], [trust_account]).allowed
    assert not evaluate(req("sts:AssumeRole", ROLE, ROOT, is_root=True), [], [trust_user]).allowed


def test_missing_context_keys_are_reported():
    source = ident(allow(Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"},
                                    "StringEquals": {"aws:username": "alice"}}))
    d = evaluate(req(), [source])
    assert not d.allowed and d.missing_context_keys == ["aws:SourceIp"]     # username is derived
    assert d.to_api()["MissingContextValues"] == ["aws:SourceIp"]
    d = evaluate(req(context={"aws:SourceIp": "203.0.113.7"}), [source])
    assert d.allowed and d.missing_context_keys == []
    variable = ident(allow("s3:*", "arn:aws:s3:::bucket/${aws:PrincipalTag/team}/*"))
    assert evaluate(req(), [variable]).missing_context_keys == ["aws:PrincipalTag/team"]


def test_matched_statements_carry_positions_for_the_iam_api():
    text = ('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*",'
            '"Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":'
            '"2018-08-16T12:00:00Z"}}}}')
    source = PolicySource(Policy.parse(text), "PolicyInputList.1", "none")
    d = evaluate(req("dynamodb:CreateBackup", "*", context={"aws:CurrentTime": "2019-04-25T11:00:00Z"}),
                 [source])
    assert d.allowed
    assert d.to_api() == {"EvalActionName": "dynamodb:CreateBackup", "EvalResourceName": "*",
                          "EvalDecision": "allowed", "MissingContextValues": [],
                          "MatchedStatements": [{"SourcePolicyId": "PolicyInputList.1",
                                                 "SourcePolicyType": "none",
                                                 "StartPosition": {"Line": 1, "Column": 38},
                                                 "EndPosition": {"Line": 1, "Column": 167}}]}
    m = d.deciding
    assert (m.source_id, m.source_type, m.effect, m.sid) == ("PolicyInputList.1", "none", "Allow", None)
    d = evaluate(req("dynamodb:CreateBackup", "*", context={"aws:CurrentTime": "2017-01-01T00:00:00Z"}),
                 [source])
    assert d.decision == "implicitDeny" and d.to_api()["MatchedStatements"] == []


def test_explain_says_why_each_statement_did_not_match():
    source = ident(dict(allow("s3:GetObject", "arn:aws:s3:::bucket/*",
                              Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}), Sid="Office"),
                   allow("s3:PutObject"), allow("s3:GetObject", "arn:aws:s3:::other/*"), name="alice-s3")
    d = evaluate(req(context={"aws:SourceIp": "198.51.100.9"}), [source])
    text = d.explain()
    assert "alice-s3 (user) -> implicitDeny" in text
    assert "statement 'Office' (Allow): no match - condition not met" in text
    assert 'FAILED: IpAddress {aws:SourceIp: ["203.0.113.0/24"]}: request has ["198.51.100.9"] -> false' in text
    assert "action s3:GetObject is not matched by Action ['s3:PutObject']" in text
    assert "resource arn:aws:s3:::bucket/key.txt is not matched by Resource ['arn:aws:s3:::other/*']" in text
    assert text.rstrip().endswith("Decision: implicitDeny. Denied: no identity-based policy allows s3:GetObject")
    bucket = res(allow(Principal={"AWS": BOB}))
    assert "is not named by Principal" in evaluate(req(), resource=[bucket]).explain()
    missing = evaluate(req(), [source]).explain()
    assert "key absent from the request context" in missing


def test_managed_policies_grant_what_they_should():
    pol = {n: PolicySource(managed.by_name(n).document, managed.ARNS[n], "aws-managed")
           for n in managed.ARNS}
    ro = pol["AmazonS3ReadOnlyAccess"]
    d = evaluate(req("s3:GetObject"), [ro])
    assert d.allowed
    assert d.reason == "Allowed by statement #1 in policy arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    assert evaluate(req("s3:ListBucket", "arn:aws:s3:::bucket"), [ro]).allowed
    d = evaluate(req("s3:PutObject"), [ro])
    assert d.decision == "implicitDeny" and d.reason == "Denied: no identity-based policy allows s3:PutObject"
    assert evaluate(req("s3:PutObject"), [pol["AmazonS3FullAccess"]]).allowed
    assert not evaluate(req("sqs:SendMessage", "*"), [pol["AmazonS3FullAccess"]]).allowed
    assert evaluate(req("iam:CreateUser", "*"), [pol["AdministratorAccess"]]).allowed
    readonly = pol["ReadOnlyAccess"]
    d = evaluate(req("ec2:DescribeInstances", "*"), [readonly])
    assert d.allowed and d.deciding.sid == "ReadOnlyActions"
    assert evaluate(req("sqs:ReceiveMessage", "*"), [readonly]).allowed
    assert not evaluate(req("ec2:RunInstances", "*"), [readonly]).allowed
    assert not evaluate(req("s3:PutObject"), [readonly]).allowed


def test_decision_shape():
    d = evaluate(req(), [ident(allow())])
    assert isinstance(d, Decision) and d.decision == "allowed" and d.allowed
    assert d.matched[0] is d.deciding and d.deciding.to_api()["SourcePolicyType"] == "user"
    assert d.details == {"inline": "allowed"} and d.boundary_allowed is None


def test_evaluation_is_fast():
    sources = [ident(allow("s3:Get*", "arn:aws:s3:::bucket/*"), name="a"),
               ident(deny("iam:*"), name="b"),
               ident(allow("sqs:*", "arn:aws:sqs:*:111122223333:*"), name="c"),
               PolicySource(managed.by_name("AmazonS3ReadOnlyAccess").document, "ro", "aws-managed"),
               ident(allow("s3:*", HOME, Condition={"Bool": {"aws:SecureTransport": "true"}}), name="e")]
    r = req(context={"aws:SecureTransport": "true"})
    evaluate(r, sources)
    n = 2000
    start = time.perf_counter()
    for _ in range(n):
        evaluate(r, sources)
    per_call = (time.perf_counter() - start) / n
    assert per_call < 200e-6, per_call          # typically ~10 µs; generous bound for slow CI


def test_federated_and_canonical_user_principals():
    trust = PolicySource(policy({"Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"},
                                 "Action": "sts:AssumeRoleWithWebIdentity"}, kind="trust"), ROLE, "resource", "resource")
    web = req("sts:AssumeRoleWithWebIdentity", ROLE, "*", federated_provider="cognito-identity.amazonaws.com")
    assert evaluate(web, resource=[trust]).allowed
    web.federated_provider = "accounts.google.com"
    assert not evaluate(web, resource=[trust]).allowed
    canonical = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
    bucket = res(allow("s3:GetObject", "arn:aws:s3:::bucket/*", Principal={"CanonicalUser": canonical}))
    assert evaluate(req(canonical_user=canonical), resource=[bucket]).allowed
    assert not evaluate(req(), resource=[bucket]).allowed


def test_global_keys_derived_from_the_request():
    on = lambda key, value, **kw: evaluate(req(**kw), [ident(allow(Condition={"StringEquals": {key: value}}))]).allowed
    assert on("aws:PrincipalArn", ALICE) and on("aws:PrincipalType", "User") and on("aws:username", "alice")
    assert on("aws:PrincipalArn", ROLE, principal=SESSION, role_arn=ROLE)       # the role, not the session
    assert on("aws:PrincipalType", "AssumedRole", principal=SESSION, role_arn=ROLE)
    assert on("aws:PrincipalAccount", ACCT) and on("aws:ResourceAccount", ACCT, resource_account=ACCT)
    assert on("aws:username", "mallory", context={"aws:username": "mallory"})   # the context wins


def test_explanations_for_other_callers():
    root = evaluate(req(principal=ROOT, is_root=True), [ident(deny())])
    assert "account root user" in root.explain() and "(not applicable to this caller)" in root.explain()
    cross = evaluate(req(principal=OUTSIDER, resource_account=ACCT), [ident(allow())],
                     [res(allow(Principal={"AWS": OTHER}))])
    assert cross.allowed and "cross-account" in cross.reason
    assert "(resource account 111122223333)" in cross.explain()
    anon = evaluate(req(principal="*", anonymous=True), resource=[res(allow(Principal={"AWS": ACCT}))])
    assert "anonymous caller" in anon.explain() and "is not named by Principal" in anon.explain()
    assert Decision("allowed", True, [], None, [], "Allowed", {}).explain() == "Decision: allowed. Allowed"


def test_variables_and_escapes_in_string_conditions():
    assert cond("StringLike", "a${*}", "a*") and not cond("StringLike", "a${*}", "ab")
    assert cond("StringEquals", "${aws:username}", "alice")
    assert not cond("StringEquals", "${aws:username}", "alice", version="2008-10-17")
    assert cond("StringEquals", "${aws:username}", "${aws:username}", version="2008-10-17")
    assert cond("StringEquals", "${test:missing, 'none'}", "none")
    assert cond("BoolIfExists", "${test:flag, 'true'}", "true")
