#!/bin/sh
# Starts compose.yaml's object store: SeaweedFS's master, volume server, filer and S3 gateway in
# one process. Two identities: the portal's, allowed its own bucket alone, and anonymous
# readers, allowed to read objects under the bucket's `media/` prefix (public media, which the
# proxy serves at /media/) and nothing else: protected files (`protected/`) are refused to
# anyone but the portal, and no one may list the bucket. The portal's secret comes from
# compose's secret file and goes to a file only this container reads, never to the environment.
set -eu

bucket="${TRUSTPORTAL_S3_BUCKET:?}"
access_key="${TRUSTPORTAL_S3_ACCESS_KEY_ID:?}"
secret_key="$(cat /run/secrets/s3_secret_access_key)"
umask 077
cat > /tmp/s3.json <<JSON
{
  "identities": [
    {
      "name": "trustportal",
      "credentials": [{"accessKey": "$access_key", "secretKey": "$secret_key"}],
      "actions": ["Admin:$bucket", "Read:$bucket", "Write:$bucket", "List:$bucket", "Tagging:$bucket"]
    },
    {
      "name": "anonymous",
      "actions": ["Read:$bucket/media/*"]
    }
  ]
}
JSON
exec weed server -dir=/data -ip=objectstore -ip.bind=0.0.0.0 \
  -s3 -s3.port=8333 -s3.config=/tmp/s3.json \
  -volume.max=0 -master.volumeSizeLimitMB=1024
