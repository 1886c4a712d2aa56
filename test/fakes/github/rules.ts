/**
 * Request rules GitHub enforces that its OpenAPI description does not express (or might stop expressing).
 * Each rule cites the documentation or the error GitHub answers with.
 */
import type { ErrorObject } from "ajv";
import { customError } from "./openapi-index.js";

type Rule = (body: Record<string, unknown>, schemaErrors: ErrorObject[]) => ErrorObject[];

interface AnnotationInput {
  start_line?: unknown;
  end_line?: unknown;
  start_column?: unknown;
  end_column?: unknown;
}

const checkRunRules: Rule = (body, schemaErrors) => {
  const errors: ErrorObject[] = [];
  const output = body.output as { annotations?: unknown } | undefined;
  const annotations = Array.isArray(output?.annotations) ? (output.annotations as AnnotationInput[]) : [];
  // "The Checks API limits the number of annotations to a maximum of 50 per API request. To create more
  // than 50 annotations, you have to make multiple requests to the Update a check run endpoint."
  // (docs.github.com/rest/checks/runs). The description does say `maxItems: 50` today; this guards a
  // future description that drops it, without reporting the same problem twice.
  const schemaSaidSo = schemaErrors.some(
    (e) => e.instancePath === "/output/annotations" && e.keyword === "maxItems",
  );
  if (annotations.length > 50 && !schemaSaidSo) {
    errors.push(
      customError(
        "/output/annotations",
        "maxItems",
        "must NOT have more than 50 items (Checks API limit per request)",
        {
          limit: 50,
        },
      ),
    );
  }
  // "Annotations only support start_column and end_column on the same line. Omit this parameter if
  // start_line and end_line have different values."
  annotations.forEach((a, i) => {
    if (!a || typeof a !== "object") return;
    if ((a.start_column !== undefined || a.end_column !== undefined) && a.start_line !== a.end_line) {
      errors.push(
        customError(
          `/output/annotations/${i}`,
          "sameLineColumns",
          "start_column/end_column are only allowed when start_line equals end_line",
        ),
      );
    }
  });
  // Limits stated only in the descriptions' prose: annotation title "The maximum size is 255 characters",
  // message and raw_details "The maximum size is 64 KB".
  annotations.forEach((a, i) => {
    if (!a || typeof a !== "object") return;
    const { title, message, raw_details } = a as {
      title?: unknown;
      message?: unknown;
      raw_details?: unknown;
    };
    if (typeof title === "string" && [...title].length > 255) {
      errors.push(
        customError(`/output/annotations/${i}/title`, "maxLength", "must NOT have more than 255 characters"),
      );
    }
    for (const [key, value] of [
      ["message", message],
      ["raw_details", raw_details],
    ] as const) {
      if (typeof value === "string" && Buffer.byteLength(value) > 64 * 1024) {
        errors.push(
          customError(`/output/annotations/${i}/${key}`, "maxLength", "must NOT be larger than 64 KB"),
        );
      }
    }
  });
  // output.title: the update operation's schema requires only `summary`, but its own description of
  // `title` reads "**Required**." (create's schema does require it). Sending it is always safe.
  const out = body.output as { title?: unknown } | undefined;
  if (out && typeof out === "object" && out.title === undefined) {
    const schemaSaidTitle = schemaErrors.some(
      (e) => e.instancePath === "/output" && e.keyword === "required" && e.params.missingProperty === "title",
    );
    if (!schemaSaidTitle) {
      errors.push(
        customError("/output", "required", "must have required property 'title'", {
          missingProperty: "title",
        }),
      );
    }
  }
  // "You cannot change a check run conclusion to stale, only GitHub can set this." The description's
  // enum lists "stale" anyway.
  if (body.conclusion === "stale") {
    errors.push(
      customError("/conclusion", "enum", "only GitHub can set the conclusion stale", { allowedValues: [] }),
    );
  }
  // conclusion: "Required if you provide completed_at or a status of completed." The update operation
  // expresses this (anyOf); create does not.
  if ((body.status === "completed" || body.completed_at !== undefined) && body.conclusion === undefined) {
    errors.push(
      customError("", "required", "conclusion is required with status completed or completed_at", {
        missingProperty: "conclusion",
      }),
    );
  }
  return errors;
};

const statusRules: Rule = (body) => {
  // GitHub answers 422 {"resource":"Status","code":"custom","field":"description",
  // "message":"description is too long (maximum is 140 characters)"}; the description has no maxLength.
  if (typeof body.description === "string" && [...body.description].length > 140) {
    return [
      customError("/description", "maxLength", "description is too long (maximum is 140 characters)", {
        limit: 140,
      }),
    ];
  }
  return [];
};

const RULES: Record<string, Rule> = {
  "checks/create": checkRunRules,
  "checks/update": checkRunRules,
  "repos/create-commit-status": statusRules,
};

export function extraRuleErrors(
  operationId: string,
  body: unknown,
  schemaErrors: ErrorObject[],
): ErrorObject[] {
  const rule = RULES[operationId];
  if (!rule || !body || typeof body !== "object" || Array.isArray(body)) return [];
  return rule(body as Record<string, unknown>, schemaErrors);
}
