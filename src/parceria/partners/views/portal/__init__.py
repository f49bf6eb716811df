"""The partner pages of the portal: its tier, its profile (with the PIX key) and its users."""
