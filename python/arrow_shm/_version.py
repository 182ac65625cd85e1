"""The package version: the Java project's (pom.xml 0.1.0-SNAPSHOT) as PEP 440 (0.1.0.dev0)."""
__version__ = "0.1.0.dev0"
