"""The seed-style items handler `make bench` measures the items bundle against.

FastAPI, Mangum and boto3, the DynamoDB resource made at import, and the one
route the benchmark calls, a plain `def` that reads the item with the same
GetItem. Copied into the baseline folder `make bench` builds; never imported here.
"""

import os
from typing import Any

import boto3
from fastapi import FastAPI, Request
from mangum import Mangum

table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
app = FastAPI()


@app.get("/items/{item_id}")
def get_item(item_id: str, request: Request) -> Any:
    sub = request.scope["aws.event"]["requestContext"]["authorizer"]["jwt"]["claims"]["sub"]
    key = {"PK": f"ITEMS#{sub}", "SK": f"ITEM#{item_id}"}
    return table.get_item(Key=key, ConsistentRead=True)["Item"]


handler = Mangum(app, lifespan="off")
