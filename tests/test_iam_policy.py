"""The IAM policy language: parsing, validation messages, normalization, positions."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from awskit import errors
from awskit.iam import managed
from awskit.iam.policy import Policy

ALLOW_ALL = {"Effect": "Allow", "Action": "*", "Resource": "*"}


def doc(*statements, version="2012-10-17", **top):
    out = {"Version": version} if version else {}
    out.update(top)
    out["Statement"] = list(statements) if len(statements) != 1 else [statements[0]]
    return out


def malformed(document, kind="identity") -> str:
    with pytest.raises(errors.MalformedPolicyDocument) as info:
        Policy.parse(document, kind=kind)
    err = info.value
    assert err.code == "MalformedPolicyDocument" and err.status == 400
    return err.message


# -- MalformedPolicyDocument: identity policies ------------------------------------------------
@pytest.mark.parametrize("document, message", [
    ('{"Version": "2012-10-17", "Statement": [', "Syntax errors in policy."),
    ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",}]}', "Syntax errors in policy."),
    ("ec2-permissions.json", "Syntax errors in policy."),
    ("[]", "Syntax errors in policy."),
    ("null", "Syntax errors in policy."),
    (doc(ALLOW_ALL, Foo="bar"), "Syntax errors in policy."),                      # unknown top field
    (doc(dict(ALLOW_ALL, Foo="bar")), "Syntax errors in policy."),                # unknown stmt field
    (doc(dict(ALLOW_ALL, Effect="Permit")), "Syntax errors in policy."),
    (doc(dict(ALLOW_ALL, Effect=True)), "Syntax errors in policy."),
    (doc(dict(ALLOW_ALL, Effect="allow")), "The policy failed legacy parsing"),  # wrong case
    (doc(ALLOW_ALL, version="2012-10-18"), "Syntax errors in policy."),
    (doc(ALLOW_ALL, version=2012), "Syntax errors in policy."),
    ({"Version": "2012-10-17"}, "Syntax errors in policy."),                     # no Statement
    ({"Version": "2012-10-17", "Statement": []}, "Syntax errors in policy."),
    ({"Version": "2012-10-17", "Statement": "x"}, "Syntax errors in policy."),
    ({"Version": "2012-10-17", "Statement": ["x"]}, "Syntax errors in policy."),
    (doc({"Action": "*", "Resource": "*"}), "Syntax errors in policy."),          # no Effect
    (doc(dict(ALLOW_ALL, Action=["s3:GetObject", 5])), "Syntax errors in policy."),
    (doc(dict(ALLOW_ALL, NotAction="s3:*")), "Syntax errors in policy."),         # both forms
    (doc(dict(ALLOW_ALL, NotResource="*")), "Syntax errors in policy."),
    (doc(dict(ALLOW_ALL, Condition={"StringEqualz": {"aws:username": "a"}})),
     "Syntax errors in policy."),
    (doc(dict(ALLOW_ALL, Condition={"NullIfExists": {"aws:username": "true"}})),
     "Syntax errors in policy."),
    (doc(dict(ALLOW_ALL, Condition={"ForAllValues:Null": {"aws:username": "true"}})),
     "Syntax errors in policy."),
    (doc(dict(ALLOW_ALL, Condition={"servicecatalog:accountLevel": "self"})),
     "Syntax errors in policy."),                                                # operator missing
    (doc(dict(ALLOW_ALL, Condition={"StringEquals": {"k:x": {"nested": 1}}})),
     "Syntax errors in policy."),
    (doc(dict(ALLOW_ALL, Condition={"StringEquals": {"k:x": None}})), "Syntax errors in policy."),
    (doc(dict(ALLOW_ALL, Sid=5)), "Syntax errors in policy."),
    (doc(dict(ALLOW_ALL, Principal="*")), "Policy document should not specify a principal."),
    (doc(dict(ALLOW_ALL, NotPrincipal={"AWS": "111122223333"})),
     "Policy document should not specify a principal."),
    (doc(dict(ALLOW_ALL, Sid="A"), dict(ALLOW_ALL, Sid="A")),
     "Statement IDs (SID) in a single policy must be unique."),
    (doc(dict(ALLOW_ALL, Sid="my-sid")),
     "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular "
     "expression [0-9A-Za-z]*"),
    (doc({"Effect": "Allow", "Resource": "*"}), "Policy statement must contain actions."),
    (doc({"Effect": "Allow", "Action": [], "Resource": "*"}),
     "Policy statement must contain actions."),
    (doc({"Effect": "Allow", "Action": "s3:GetObject"}), "Policy statement must contain resources."),
    (doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": []}),
     "Policy statement must contain resources."),
    (doc(dict(ALLOW_ALL, Action="GetObject")),
     "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."),
    (doc(dict(ALLOW_ALL, Action="s3:Get:Object")), "Actions/Condition can contain only one colon."),
    (doc(dict(ALLOW_ALL, Action="s 3:GetObject")), "Vendor s 3 is not valid"),
    (doc(dict(ALLOW_ALL, Resource="my-bucket")), 'Resource my-bucket must be in ARN format or "*".'),
    (doc(dict(ALLOW_ALL, Resource="arn:aws:iam::123456789012:u*")),             # IAM UG, ARNs
     'IAM resource path must either be "*" or start with user/, federated-user/, role/, group/, '
     'instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, '
     'oidc-provider/, report/, access-report/.'),
    (doc(dict(ALLOW_ALL, Resource="arn:aws:iam:us-east-1:123456789012:user/a")),
     "IAM resource arn:aws:iam:us-east-1:123456789012:user/a cannot contain region information."),
    (doc(dict(ALLOW_ALL, Resource="arn:aws:s3:us-east-1::bucket")),
     "Resource arn:aws:s3:us-east-1::bucket can not contain region information."),
    (doc(dict(ALLOW_ALL, Condition={"DateGreaterThan": {"aws:CurrentTime": "yesterday"}})),
     "The policy failed legacy parsing"),
    (42, "Syntax errors in policy."),
])
def test_identity_policy_errors(document, message):
    assert malformed(document) == message


def test_nan_is_not_json():
    assert malformed('{"Version": "2012-10-17", "Statement": {"Effect": "Allow", '
                     '"Action": "*", "Resource": "*", "Condition": {"NumericEquals": '
                     '{"s3:max-keys": NaN}}}}') == "Syntax errors in policy."


# -- MalformedPolicyDocument: resource and trust policies --------------------------------------
BUCKET_STMT = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
               "Resource": "arn:aws:s3:::b/*"}
TRUST_STMT = {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
              "Action": "sts:AssumeRole"}


@pytest.mark.parametrize("kind, document, message", [
    ("resource", "{nope", "This policy contains invalid Json"),
    ("trust", "{nope", "This policy contains invalid Json"),
    ("resource", doc(BUCKET_STMT, version="2012-10-18"),
     "The policy must contain a valid version string"),
    ("resource", {"Version": "2012-10-17"}, "Missing required field Statement"),
    ("resource", {"Version": "2012-10-17", "Statement": []},
     "Could not parse the policy: Statement is empty!"),
    ("resource", doc({k: v for k, v in BUCKET_STMT.items() if k != "Principal"}),
     "Missing required field Principal"),
    ("resource", doc({k: v for k, v in BUCKET_STMT.items() if k != "Resource"}),
     "Statement is missing required element"),
    ("resource", doc({k: v for k, v in BUCKET_STMT.items() if k != "Effect"}),
     "Missing required field Effect"),
    ("resource", doc(dict(BUCKET_STMT, Principal={"AWS": "bob"})),
     'Invalid principal in policy: "AWS":"bob"'),
    ("resource", doc(dict(BUCKET_STMT, Principal={"AWS": "arn:aws:iam::123:user/x"})),
     'Invalid principal in policy: "AWS":"arn:aws:iam::123:user/x"'),
    ("resource", doc(dict(BUCKET_STMT, Principal={"Service": "lambda"})),
     'Invalid principal in policy: "SERVICE":"lambda"'),
    ("resource", doc(dict(BUCKET_STMT, Principal={"Bogus": "x"})), "Syntax errors in policy."),
    ("resource", doc(dict(BUCKET_STMT, Principal={})), "Syntax errors in policy."),
    ("trust", doc({k: v for k, v in TRUST_STMT.items() if k != "Principal"}),
     "Missing required field Principal"),
    ("trust", doc(dict(TRUST_STMT, Resource="*")), "Has prohibited field Resource"),
    ("trust", doc(dict(TRUST_STMT, Action="s3:GetObject")),
     "AssumeRole policy may only specify STS AssumeRole actions."),
    ("trust", doc(dict(TRUST_STMT, Action=["sts:AssumeRole", "sts:GetCallerIdentity"])),
     "AssumeRole policy may only specify STS AssumeRole actions."),
    ("trust", doc({k: v for k, v in TRUST_STMT.items() if k != "Action"}),
     "Missing required field Action"),
    ("trust", {"Statement": []}, "Could not parse the policy: Statement is empty!"),
    ("trust", doc(dict(TRUST_STMT, Sid="A"), dict(TRUST_STMT, Sid="A")),
     "The Statement Ids in the policy are not unique"),
])
def test_resource_and_trust_policy_errors(kind, document, message):
    assert malformed(document, kind) == message


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        Policy.parse(doc(ALLOW_ALL), kind="bucket")


# -- what parses, and how it is normalized ----------------------------------------------------
def test_single_statement_object_or_list():
    one = Policy.parse({"Version": "2012-10-17", "Statement": ALLOW_ALL})
    many = Policy.parse(doc(ALLOW_ALL, dict(ALLOW_ALL, Effect="Deny")))
    assert len(one.statements) == 1 and len(many.statements) == 2
    assert [s.effect for s in many.statements] == ["Allow", "Deny"]
    assert [s.index for s in many.statements] == [0, 1]


@pytest.mark.parametrize("version", ["2012-10-17", "2008-10-17", None])
def test_versions_accepted(version):
    policy = Policy.parse(doc(ALLOW_ALL, version=version))
    assert policy.version == version
    assert policy.variables == (version == "2012-10-17")


def test_text_is_kept_verbatim_and_dicts_are_dumped_in_order():
    text = '{ "Statement": {"Resource": "*", "Effect": "Allow", "Action": "s3:*"},\n "Id": "x"}'
    policy = Policy.parse(text)
    assert policy.text == text and policy.id == "x" and policy.version is None
    document = {"Version": "2012-10-17", "Statement": [{"Resource": "*", "Effect": "Allow",
                                                        "Action": "s3:*"}]}
    assert Policy.parse(document).text == json.dumps(document)
    assert Policy.parse(document).to_dict() == document
    assert Policy.parse(document.copy()).statements[0].to_dict() == document["Statement"][0]


def test_string_or_list_elements_and_kinds():
    st_ = Policy.parse(doc({"Effect": "Deny", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::a",
                            "Sid": "S1"})).statements[0]
    assert st_.action == ["s3:GetObject"] and st_.not_action is None
    assert st_.resource is None and st_.not_resource == ["arn:aws:s3:::a"]
    assert st_.sid == "S1" and st_.effect == "Deny" and st_.principal is None


def test_principals_are_normalized():
    p = Policy.parse(doc(dict(BUCKET_STMT, Principal={"AWS": "111122223333", "Service": [
        "lambda.amazonaws.com"]})), kind="resource").statements[0]
    assert p.principal == {"AWS": ["111122223333"], "Service": ["lambda.amazonaws.com"]}
    star = Policy.parse(doc(BUCKET_STMT), kind="resource").statements[0]
    assert star.principal == "*" and star.not_principal is None
    notp = Policy.parse(doc({"Effect": "Deny", "NotPrincipal": {"AWS": [
        "arn:aws:iam::111122223333:user/bob", "arn:aws:iam::111122223333:root"]},
        "Action": "s3:*", "Resource": "*"}), kind="resource").statements[0]
    assert notp.not_principal == {"AWS": ["arn:aws:iam::111122223333:user/bob",
                                          "arn:aws:iam::111122223333:root"]}


def test_condition_values_become_strings():
    policy = Policy.parse(doc(dict(ALLOW_ALL, Condition={
        "Bool": {"aws:SecureTransport": True}, "NumericLessThan": {"s3:max-keys": 5},
        "StringEquals": {"aws:username": ["a", "b"]}})))
    assert policy.statements[0].condition == {
        "Bool": {"aws:SecureTransport": ["true"]}, "NumericLessThan": {"s3:max-keys": ["5"]},
        "StringEquals": {"aws:username": ["a", "b"]}}
    assert Policy.parse(doc(ALLOW_ALL)).statements[0].condition is None


def test_all_operators_and_their_forms_parse():
    from awskit.iam.conditions import OPERATORS
    block = {}
    for name in OPERATORS:
        block[name] = {"aws:x": "1"}
        if name != "Null":
            block[name + "IfExists"] = {"aws:x": "1"}
            block["ForAllValues:" + name] = {"aws:x": "1"}
            block["ForAnyValue:" + name + "IfExists"] = {"aws:x": "1"}
    block = {k: v for k, v in block.items() if not k.startswith("Date")}
    Policy.parse(doc(dict(ALLOW_ALL, Condition=block)))


def test_sids_in_resource_policies_may_repeat_and_use_any_characters():
    Policy.parse(doc(dict(BUCKET_STMT, Sid="Public read-1"), dict(BUCKET_STMT, Sid="Public read-1")),
                 kind="resource")


def test_trust_policies_need_no_resource_and_accept_sts_patterns():
    for action in ("sts:AssumeRole", ["sts:AssumeRole", "sts:TagSession"], "sts:AssumeRole*",
                   "sts:*", "*", "sts:SetSourceIdentity", "STS:assumerole",
                   "sts:AssumeRoleWithWebIdentity"):
        Policy.parse(doc(dict(TRUST_STMT, Action=action)), kind="trust")
    Policy.parse(doc(dict(TRUST_STMT, Principal={"AWS": "arn:aws:iam::111122223333:root"})),
                 kind="trust")
    Policy.parse(doc(dict(TRUST_STMT, Principal={"Federated": "cognito-identity.amazonaws.com"},
                          Action="sts:AssumeRoleWithWebIdentity")), kind="trust")


def test_valid_aws_principal_forms():
    for value in ("*", "111122223333", "arn:aws:iam::111122223333:root",
                  "arn:aws:iam::111122223333:user/path/alice",
                  "arn:aws:iam::111122223333:role/R",
                  "arn:aws:sts::111122223333:assumed-role/R/session",
                  "arn:aws-cn:iam::111122223333:user/a"):
        Policy.parse(doc(dict(BUCKET_STMT, Principal={"AWS": value})), kind="resource")


def test_identity_policies_may_use_wildcard_arns_and_variables():
    Policy.parse(doc(dict(ALLOW_ALL, Resource=["arn:aws:s3:::b/${aws:username}/*",
                                                "arn:*:iam::*:user/*"])))


def test_policies_are_parsed_once():
    text = json.dumps(doc(ALLOW_ALL))
    assert Policy.parse(text) is Policy.parse(text)
    assert Policy.parse(text) == Policy.parse(doc(ALLOW_ALL))          # same text, same kind
    assert Policy.parse(text, kind="identity") != Policy.parse(
        json.dumps(doc(BUCKET_STMT)), kind="resource")


# -- statement positions (IAM MatchedStatements StartPosition / EndPosition) ------------------
def test_positions_match_the_aws_cli_example():
    # aws iam simulate-custom-policy example in the AWS CLI reference: Line 1, Column 38..167
    text = ('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*",'
            '"Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":'
            '"2018-08-16T12:00:00Z"}}}}')
    statement = Policy.parse(text).statements[0]
    assert statement.start == (1, 38) and statement.end == (1, 167)


def test_positions_in_a_multi_line_document():
    text = ('{\n'
            '  "Version": "2012-10-17",\n'
            '  "Id": "has {braces} and \\"quotes\\" }",\n'
            '  "Statement": [\n'
            '    {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/${aws:username}"},\n'
            '    {\n'
            '      "Effect": "Deny",\n'
            '      "Action": "s3:DeleteObject",\n'
            '      "Resource": "*"\n'
            '    }\n'
            '  ]\n'
            '}')
    first, second = Policy.parse(text).statements
    assert first.start == (5, 6) and first.end == (5, 88)
    assert second.start == (6, 6) and second.end == (10, 6)


def test_positions_of_the_shipped_managed_policies():
    policy = managed.by_name("AdministratorAccess").document
    assert policy.statements[0].start == (4, 10) and policy.statements[0].end == (8, 10)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["s3:GetObject", "s3:Put*", "ec2:Describe*", "*"]),
                min_size=1, max_size=4).flatmap(
    lambda actions: st.tuples(st.just(actions), st.integers(0, 6), st.booleans())))
def test_positions_point_at_the_statement_braces(args):
    actions, indent, as_list = args
    statements = [{"Sid": f"S{i}", "Effect": "Allow", "Action": a, "Resource": "*"}
                  for i, a in enumerate(actions)]
    text = json.dumps({"Version": "2012-10-17", "Statement": statements if as_list or len(
        statements) > 1 else statements[0]}, indent=indent or None)
    lines = text.split("\n")
    for s in Policy.parse(text).statements:
        (l1, c1), (l2, c2) = s.start, s.end
        assert lines[l1 - 1][c1 - 2] == "{" and lines[l2 - 1][c2 - 2] == "}"
        # the object between the two braces is exactly this statement
        flat = "\n".join(lines)
        begin = sum(len(x) + 1 for x in lines[:l1 - 1]) + c1 - 2
        end = sum(len(x) + 1 for x in lines[:l2 - 1]) + c2 - 2
        assert json.loads(flat[begin:end + 1]) == statements[s.index]


@settings(max_examples=60, deadline=None)
@given(st.fixed_dictionaries({
    "Effect": st.sampled_from(["Allow", "Deny"]),
    "Action": st.one_of(st.sampled_from(["s3:GetObject", "*", "iam:List*"]),
                        st.lists(st.sampled_from(["s3:GetObject", "sqs:Send?essage"]), min_size=1)),
    "Resource": st.sampled_from(["*", "arn:aws:s3:::b/*", ["arn:aws:sqs:*:111122223333:q"]]),
}))
def test_round_trip(statement):
    document = doc(statement)
    policy = Policy.parse(document)
    assert policy.to_dict() == document
    assert json.loads(policy.text) == document


# -- shipped managed policies ------------------------------------------------------------------
def test_managed_policies_have_real_identifiers():
    policies = managed.aws_managed_policies()
    assert set(policies) == {f"arn:aws:iam::aws:policy/{n}" for n in (
        "AdministratorAccess", "AmazonS3FullAccess", "AmazonS3ReadOnlyAccess", "ReadOnlyAccess",
        "service-role/AWSLambdaBasicExecutionRole")}
    basic = policies["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]
    assert basic.path == "/service-role/" and len(basic.policy_id) == 21
    admin = policies["arn:aws:iam::aws:policy/AdministratorAccess"]
    assert (admin.policy_id, admin.default_version, admin.path) == ("ANPAIWMBCKSKIEE64ZLYK", "v1", "/")
    assert managed.by_name("AmazonS3ReadOnlyAccess").policy_id == "ANPAIZTJ4DXE7G6AGAE6M"
    assert managed.by_name("AmazonS3ReadOnlyAccess").default_version == "v3"
    assert managed.by_name("AmazonS3FullAccess").policy_id == "ANPAIFIR6V6BVTRAHWINE"
    assert managed.by_name("ReadOnlyAccess").policy_id == "ANPAILL3HVNFSB6DCOWYQ"
    for p in policies.values():
        assert p.aws_managed and p.arn.startswith("arn:aws:iam::aws:policy/")
        assert p.document.kind == "identity" and p.document.version == "2012-10-17"
        assert p.versions[p.default_version].is_default
        assert p.created <= p.updated
    assert managed.get("arn:aws:iam::aws:policy/Nope") is None


def test_read_only_access_is_abridged_to_simulated_services():
    services = {a.split(":")[0] for a in
                managed.by_name("ReadOnlyAccess").document.statements[0].action}
    assert services == set(managed.READ_ONLY_SERVICES)
    assert managed.by_name("ReadOnlyAccess").document.statements[0].sid == "ReadOnlyActions"
