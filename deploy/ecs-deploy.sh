#!/usr/bin/env bash
# Rolling deploy of one ECS service to a new image, or a one-off migration task.
#   deploy/ecs-deploy.sh migrate
#   deploy/ecs-deploy.sh <service> <image>
# Needs AWS credentials in the environment (the pipeline binds them by credentials id), and
# AWS_REGION, ECS_CLUSTER set.
set -euo pipefail

if [[ ${1:-} == migrate ]]; then
  # The API task definition, run once with the migration command; wait for it to finish.
  task=$(aws ecs run-task --cluster "$ECS_CLUSTER" --task-definition gavel-api \
    --overrides '{"containerOverrides":[{"name":"api","command":["node","main/migrate.ts"]}]}' \
    --query 'tasks[0].taskArn' --output text)
  aws ecs wait tasks-stopped --cluster "$ECS_CLUSTER" --tasks "$task"
  code=$(aws ecs describe-tasks --cluster "$ECS_CLUSTER" --tasks "$task" --query 'tasks[0].containers[0].exitCode' --output text)
  [[ $code == 0 ]] || { echo "migration failed with exit code $code" >&2; exit 1; }
  exit 0
fi

service=$1
image=$2
family=$(aws ecs describe-services --cluster "$ECS_CLUSTER" --services "$service" \
  --query 'services[0].taskDefinition' --output text)
# New revision of the task definition with the new image, everything else unchanged.
aws ecs describe-task-definition --task-definition "$family" --query taskDefinition --output json \
  | jq --arg image "$image" '.containerDefinitions[0].image = $image
      | del(.taskDefinitionArn, .revision, .status, .requiresAttributes, .compatibilities, .registeredAt, .registeredBy)' \
  > /tmp/taskdef.json
revision=$(aws ecs register-task-definition --cli-input-json file:///tmp/taskdef.json \
  --query 'taskDefinition.taskDefinitionArn' --output text)
aws ecs update-service --cluster "$ECS_CLUSTER" --service "$service" --task-definition "$revision" \
  --deployment-configuration 'minimumHealthyPercent=100,maximumPercent=200,deploymentCircuitBreaker={enable=true,rollback=true}'
aws ecs wait services-stable --cluster "$ECS_CLUSTER" --services "$service"
