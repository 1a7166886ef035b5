# auditor: reviews who accessed what, and who holds which rights, without reading a
# single secret. Opens the console's Audit (trail, compliance reports, least-privilege
# advisor), Tokens and Leases pages, and read access to policies and mounts; grants no secret
# path, no write, and no revocation.
#
#   bao policy write auditor docs/policies/auditor.hcl

# The database audit device's record: search, export, reports, advisor.
path "sys/audit-log/*" {
  capabilities = ["read", "sudo"]
}

# Which audit devices are enabled, and hashing a value to find it in a file device's log.
path "sys/audit" {
  capabilities = ["read", "sudo"]
}
path "sys/audit-hash/*" {
  capabilities = ["update"]
}

# Policies, to read what the advisor weighs.
path "sys/policies/acl" {
  capabilities = ["list"]
}
path "sys/policies/acl/*" {
  capabilities = ["read"]
}

# Tokens by accessor: who holds one, with which policies, until when.
path "auth/token/accessors" {
  capabilities = ["list", "sudo"]
}
path "auth/token/lookup-accessor" {
  capabilities = ["update"]
}

# Leases by prefix, with their expiry (revoking them is not granted).
path "sys/leases/lookup/*" {
  capabilities = ["list", "sudo"]
}
path "sys/leases/lookup" {
  capabilities = ["update"]
}

# The mount table, to tell paths in the trail apart.
path "sys/mounts" {
  capabilities = ["read"]
}
