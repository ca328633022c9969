"""Channel front-ends that run beside the platform."""
