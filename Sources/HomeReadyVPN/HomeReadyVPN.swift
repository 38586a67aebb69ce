/// VPN gateway, STUN and path MTU checks.
