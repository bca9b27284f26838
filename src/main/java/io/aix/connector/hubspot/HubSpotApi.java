package io.aix.connector.hubspot;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;

/**
 * The HubSpot CRM APIs AIX uses, as a typed Quarkus REST client. Paths, verbs and field names
 * follow HubSpot's API reference (CRM v3 objects, search, batch, properties; v4 associations; OAuth
 * v1). Every method returns the raw {@link Response} so the connector sees the status (HubSpot
 * answers 207 for partial batch failures), the rate-limit headers and HubSpot's error body.
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public interface HubSpotApi {

  /** {@code POST /crm/v3/objects/{objectType}/search}: at most 200 a page, 10,000 a query. */
  @POST
  @Path("crm/v3/objects/{objectType}/search")
  Response search(@PathParam("objectType") String objectType, SearchRequest request);

  /** {@code POST /crm/v3/objects/{objectType}/batch/read}: at most 100 ids a call. */
  @POST
  @Path("crm/v3/objects/{objectType}/batch/read")
  Response batchRead(@PathParam("objectType") String objectType, BatchReadRequest request);

  /** {@code POST /crm/v3/objects/{objectType}/batch/update}: 100 a call; 207 on partial errors. */
  @POST
  @Path("crm/v3/objects/{objectType}/batch/update")
  Response batchUpdate(@PathParam("objectType") String objectType, BatchInputs<UpdateInput> body);

  /** {@code POST /crm/v3/objects/tasks/batch/create}, with associations to the contacts. */
  /** Permanently deletes a contact and its associated content (GDPR); 204 when done. */
  @POST
  @Path("crm/v3/objects/{objectType}/gdpr-delete")
  Response gdprDelete(@PathParam("objectType") String objectType, GdprDelete body);

  @POST
  @Path("crm/v3/objects/tasks/batch/create")
  Response createTasks(BatchInputs<CreateInput> body);

  /**
   * The boundary of the multipart bodies AIX builds for imports (checked absent from the parts).
   */
  String IMPORT_BOUNDARY = "aix-import-7f3c1e9a0b5d4c2e8f6a";

  /**
   * {@code POST /crm/v3/imports} (CRM/Imports v3 imports.json): multipart/form-data with the parts
   * {@code importRequest} (JSON text) and {@code files}; the body is built by {@link HubSpotBulk}.
   */
  @POST
  @Path("crm/v3/imports")
  @Consumes("multipart/form-data; boundary=" + IMPORT_BOUNDARY)
  Response startImport(String multipartBody);

  /** {@code GET /crm/v3/imports/{importId}}: the import and its state. */
  @GET
  @Path("crm/v3/imports/{importId}")
  Response importStatus(@PathParam("importId") String importId);

  /** {@code GET /crm/v3/imports/{importId}/errors}: the failed rows, a page at a time. */
  @GET
  @Path("crm/v3/imports/{importId}/errors")
  Response importErrors(
      @PathParam("importId") String importId,
      @QueryParam("after") String after,
      @QueryParam("limit") int limit);

  /** {@code POST /crm/v3/exports/export/async} (CRM/Exports v3 exports.json): 202, a task id. */
  @POST
  @Path("crm/v3/exports/export/async")
  Response startExport(JsonNode request);

  /** {@code GET /crm/v3/exports/export/async/tasks/{taskId}/status}: the file's URL once done. */
  @GET
  @Path("crm/v3/exports/export/async/tasks/{taskId}/status")
  Response exportStatus(@PathParam("taskId") String taskId);

  /** {@code GET /crm/v3/properties/{objectType}/groups/{groupName}}: 404 when missing. */
  @GET
  @Path("crm/v3/properties/{objectType}/groups/{groupName}")
  Response propertyGroup(
      @PathParam("objectType") String objectType, @PathParam("groupName") String groupName);

  /** {@code POST /crm/v3/properties/{objectType}/groups}: 409 when it exists already. */
  @POST
  @Path("crm/v3/properties/{objectType}/groups")
  Response createPropertyGroup(@PathParam("objectType") String objectType, PropertyGroup group);

  /** {@code GET /crm/v3/properties/{objectType}}: every property of the object type. */
  @GET
  @Path("crm/v3/properties/{objectType}")
  Response properties(@PathParam("objectType") String objectType);

  /** {@code POST /oauth/v2/private-apps/get/access-token-info}: a private app token's scopes. */
  @POST
  @Path("oauth/v2/private-apps/get/access-token-info")
  Response privateAppTokenInfo(Map<String, String> body);

  /** {@code POST /crm/v3/properties/{objectType}/batch/create}. */
  @POST
  @Path("crm/v3/properties/{objectType}/batch/create")
  Response createProperties(
      @PathParam("objectType") String objectType, BatchInputs<PropertyDefinition> body);

  /**
   * {@code GET /crm/v4/objects/{from}/{id}/associations/{to}}: what a record is linked to, a page
   * of at most {@code limit} (500 by default), the next one from {@code paging.next.after}.
   */
  @GET
  @Path("crm/v4/objects/{fromType}/{id}/associations/{toType}")
  Response associations(
      @PathParam("fromType") String fromType,
      @PathParam("id") String id,
      @PathParam("toType") String toType,
      @QueryParam("limit") int limit,
      @QueryParam("after") String after);

  /**
   * {@code GET /webhooks/v3/{appId}/subscriptions}: the app's event subscriptions. The webhooks API
   * belongs to the developer account, not a portal: it takes the developer API key as the {@code
   * hapikey} query parameter (Webhooks v3 spec, securitySchemes developer_hapikey).
   */
  @GET
  @Path("webhooks/v3/{appId}/subscriptions")
  Response subscriptions(@PathParam("appId") long appId, @QueryParam("hapikey") String hapikey);

  /** {@code POST /oauth/v1/token} with {@code grant_type=refresh_token}. */
  @POST
  @Path("oauth/v1/token")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  Response refreshToken(
      @FormParam("grant_type") String grantType,
      @FormParam("client_id") String clientId,
      @FormParam("client_secret") String clientSecret,
      @FormParam("refresh_token") String refreshToken);

  /**
   * {@code POST /oauth/v1/token} with {@code grant_type=authorization_code}: the code HubSpot sent
   * to the redirect URL, for the first access and refresh tokens. {@code redirect_uri} must equal
   * the one of the authorize URL.
   */
  @POST
  @Path("oauth/v1/token")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  Response exchangeCode(
      @FormParam("grant_type") String grantType,
      @FormParam("client_id") String clientId,
      @FormParam("client_secret") String clientSecret,
      @FormParam("redirect_uri") String redirectUri,
      @FormParam("code") String code);

  /**
   * {@code POST /oauth/v3/token/introspect} (HubSpot's OAuth spec, Auth/Oauth v3): whether a token
   * is active, and for an access token its {@code hub_id} (the portal), {@code app_id} and {@code
   * scopes}. Replaces the deprecated {@code GET /oauth/v1/access-tokens/{token}}, and keeps the
   * token out of the URL.
   */
  @POST
  @Path("oauth/v3/token/introspect")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  Response introspect(
      @FormParam("client_id") String clientId,
      @FormParam("client_secret") String clientSecret,
      @FormParam("token") String token,
      @FormParam("token_type_hint") String tokenTypeHint);

  // ------------------------------------------------------------------ request and response bodies

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record SearchRequest(
      List<FilterGroup> filterGroups,
      List<Sort> sorts,
      List<String> properties,
      int limit,
      String after) {}

  record FilterGroup(List<Filter> filters) {}

  record Filter(String propertyName, String operator, String value) {}

  record Sort(String propertyName, String direction) {}

  /** A CRM object as HubSpot returns it; property values are always strings (or null). */
  record HsObject(
      String id,
      Map<String, String> properties,
      String createdAt,
      String updatedAt,
      Boolean archived,
      String objectWriteTraceId) {}

  record SearchResponse(Long total, List<HsObject> results, Paging paging) {}

  record Paging(Next next) {}

  record Next(String after, String link) {}

  record BatchReadRequest(List<String> properties, List<IdInput> inputs) {}

  record IdInput(String id) {}

  record BatchInputs<T>(List<T> inputs) {}

  record UpdateInput(String id, Map<String, String> properties) {}

  /**
   * One object to create; HubSpot echoes {@code objectWriteTraceId} on the matching result, which
   * is how a batch's results are matched to its inputs.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record CreateInput(
      Map<String, String> properties, List<Association> associations, String objectWriteTraceId) {}

  record Association(AssociationTarget to, List<AssociationType> types) {}

  record AssociationTarget(String id) {}

  record AssociationType(String associationCategory, int associationTypeId) {}

  /** 200 (all done) or 207 (some failed: {@code errors} names them in {@code context.ids}). */
  record BatchResponse(
      String status, List<HsObject> results, Integer numErrors, List<BatchError> errors) {}

  record BatchError(
      String status,
      String category,
      String subCategory,
      String message,
      Map<String, List<String>> context) {}

  /**
   * HubSpot's error body for a failed call (the spec's Error: category, correlationId and message
   * required, {@code errors[]} of details optional; {@code policyName} on 429s).
   */
  record ErrorBody(
      String status,
      String message,
      String correlationId,
      String category,
      String errorType,
      String policyName,
      List<ErrorDetail> errors) {}

  /** One detail of an error (the spec's ErrorDetail: message required, code and context not). */
  record ErrorDetail(String message, String code, String subCategory, JsonNode context) {}

  record PropertyGroup(String name, String label, int displayOrder) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record PropertyDefinition(
      String name,
      String label,
      String description,
      String groupName,
      String type,
      String fieldType,
      List<PropertyOption> options) {}

  record PropertyOption(String label, String value, int displayOrder) {}

  record PropertyList(List<PropertyDefinition> results) {}

  record TokenResponse(
      String access_token, String refresh_token, Long expires_in, String token_type) {}

  /** {@code GET .../associations/...} answer (v4): the linked ids and their association types. */
  record AssociationList(List<JsonNode> results) {}

  /** The record to erase, by id (no {@code idProperty}: that would blocklist an unknown email). */
  record GdprDelete(String objectId) {}
}
