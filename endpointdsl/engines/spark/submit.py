"""The command line under spark-submit (docs/backends.md, "Spark"):

    spark-submit --master yarn .../endpointdsl/engines/spark/submit.py run FILE --data DIR --out OUT --engine spark

spark-submit starts the driver's JVM with the cluster's settings; run.session() then joins
that session instead of starting a local one.
"""

from endpointdsl.cli import entry

if __name__ == "__main__":
    entry()
