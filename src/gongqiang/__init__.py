"""gongqiang (工强): an industry bureau's system for carrying out an industrial policy."""

__version__ = "0.1.0"
