#!/bin/sh
# A releasebot command deployer for Kubernetes: one Deployment per stage (webapp-<stage>, sized
# by your own manifests for the stage's share of traffic), one kubectl context per AZ, one
# namespace per environment. docs/deployers.md explains the arguments and variables used here.
#
# deployer:
#   type: command
#   command: /usr/local/bin/deploy-kubectl.sh
#   timeout: 15m
#   env: { IMAGE_REPO: registry.example.com/webapp }
#   passEnv: [KUBECONFIG]
set -eu

# Positional arguments, in releasebot's order (the same values are in RELEASEBOT_*).
build="$1" stage="$2" tier="$3" azs="$4" percent="$5" environment="$6"
repo="${IMAGE_REPO:?set deployer.env.IMAGE_REPO}"
deployment="deployment/webapp-$stage"

echo "releasebot ${RELEASEBOT_KIND}: $build to $stage ($tier, $percent%, $environment) in $azs, key $RELEASEBOT_KEY" >&2

for az in $(echo "$azs" | tr ',' ' '); do
  k="kubectl --context $az --namespace $environment"
  if [ "$RELEASEBOT_KIND" = rollback ] && [ -z "$build" ]; then
    # No earlier good build is known on this stage: undo the last rollout instead.
    $k rollout undo "$deployment"
  else
    # Setting the image it already runs is a no-op, so a repeated step (same key) does no harm.
    $k set image "$deployment" "app=$repo:$build"
    $k annotate --overwrite "$deployment" "releasebot/key=$RELEASEBOT_KEY" >/dev/null
  fi
  # Wait for the pods: exit non-zero (and releasebot retries, then fails the step) if they do not come up.
  $k rollout status "$deployment" --timeout=10m
done
