# Solutions to the exercises of 06-lambda-deep-dive.ipynb (checked by tests/test_solutions.py).

# exercise: provisioned-warm
version = lam.publish_version(FunctionName="hello")["Version"]
lam.create_alias(FunctionName="hello", Name="live", FunctionVersion=version)
lam.put_provisioned_concurrency_config(FunctionName="hello", Qualifier="live",
                                       ProvisionedConcurrentExecutions=1)
while lam.get_provisioned_concurrency_config(
        FunctionName="hello", Qualifier="live")["Status"] != "READY":
    cloud.advance(seconds=10)
response = lam.invoke(FunctionName="hello", Qualifier="live", Payload=json.dumps({"name": "pc"}))
print(json.loads(response["Payload"].read()), cloud.awslambda.invocations[-1].cold)

# exercise: async-dlq
sqs = cloud.client("sqs")
queue_url = sqs.create_queue(QueueName="hello-dlq")["QueueUrl"]
queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url,
                                     AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
iam.put_role_policy(RoleName="hello-role", PolicyName="dlq", PolicyDocument=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": queue_arn}]}))
lam.update_function_configuration(FunctionName="hello", DeadLetterConfig={"TargetArn": queue_arn})
lam.get_waiter("function_updated_v2").wait(FunctionName="hello")
lam.invoke(FunctionName="hello", InvocationType="Event", Payload=json.dumps({"fail": True}))
cloud.advance(minutes=5)
print(sqs.receive_message(QueueUrl=queue_url, MessageAttributeNames=["All"])["Messages"])
