"""socialsell: does an hour of social selling bring more meetings than an hour of cold calling?"""

__version__ = "0.1.0"
