"""trailstrength: test strength-training claims on real endurance data."""

__version__ = "0.1.0"
