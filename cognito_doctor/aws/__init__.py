"""The only package that imports botocore.

- clients: botocore sessions for the operator and for the service's keys, shared clients, and
  botocore's service models.
- errors: recognising botocore's errors and explaining them in words a person can act on.
- shared: the holder of clients shared by the environments of one command line run (imports
  nothing of botocore, so the CLI can create it before any AWS fact runs).

Import `clients` and `errors` lazily (from inside fact providers), so that `--offline` and
`--help` never pay for importing botocore.
"""
